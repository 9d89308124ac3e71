// ModelPool: models identified by their resolved weights, loaded once, outside the lock, LRU by bytes, released
// with the pool.
#include "TestSupport.h"

#include "models/ModelPool.h"
#include "util/Error.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <chrono>
#include <future>
#include <thread>

using namespace cprecon;

class TestModelPool : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sameWeightsLoadOnceWhateverThePathSays()
    {
        CPRECON_REQUIRE_PATH(dir, test::fixture(QStringLiteral("vae/tiny")));
        QTemporaryDir tmp;
        const QString link = tmp.filePath(QStringLiteral("tiny-link"));
        QVERIFY(QFile::link(dir, link));
        ModelPool pool;
        RuntimeOptions cpu;
        cpu.device = ComputeDevice::Cpu;
        const auto a = pool.acquire("sd-vae:" + dir.toStdString(), cpu);
        const auto b = pool.acquire("sd-vae:" + link.toStdString(), cpu); // another name for the same weights
        QCOMPARE(a.get(), b.get());
        QCOMPARE(pool.loads(), 1);
        QVERIFY(pool.bytes() > 0);
        RuntimeOptions bf16 = cpu;
        bf16.precision = Precision::Bf16;
        const auto c = pool.acquire("sd-vae:" + dir.toStdString(), bf16); // other precision: another model
        QVERIFY(c.get() != a.get());
        QCOMPARE(pool.loads(), 2);
        pool.acquire("bicubic8", cpu);
        pool.acquire("bicubic8", cpu);
        QCOMPARE(pool.loads(), 3);
    }

    void changedWeightsAreAnotherModel()
    {
        CPRECON_REQUIRE_PATH(dir, test::fixture(QStringLiteral("vae/tiny")));
        QTemporaryDir tmp;
        const QString copy = tmp.filePath(QStringLiteral("tiny"));
        QVERIFY(QDir().mkpath(copy));
        for (const QString &f : QDir(dir).entryList(QDir::Files)) QVERIFY(QFile::copy(dir + "/" + f, copy + "/" + f));
        const RuntimeOptions rt;
        const std::string spec = "sd-vae:" + copy.toStdString();
        const std::string before = ModelPool::identity(spec, rt);
        QFile weights(copy + QStringLiteral("/diffusion_pytorch_model.safetensors"));
        QVERIFY(weights.exists());
        QVERIFY(weights.open(QIODevice::ReadWrite));
        QVERIFY(weights.setFileTime(QDateTime::currentDateTime().addSecs(60), QFileDevice::FileModificationTime));
        weights.close();
        QVERIFY(ModelPool::identity(spec, rt) != before); // same path, new file: not the cached model
        QVERIFY_THROWS_EXCEPTION(Error, ModelPool::identity("sd-vae:" + tmp.filePath(QStringLiteral("nothing")).toStdString(), rt));
    }

    void leastRecentlyUsedGoesFirstWhenOverBudget()
    {
        CPRECON_REQUIRE_PATH(dir, test::fixture(QStringLiteral("vae/tiny")));
        QTemporaryDir tmp;
        QStringList copies;
        for (int i = 0; i < 3; ++i) {
            const QString copy = tmp.filePath(QStringLiteral("tiny%1").arg(i));
            QVERIFY(QDir().mkpath(copy));
            for (const QString &f : QDir(dir).entryList(QDir::Files)) QVERIFY(QFile::copy(dir + "/" + f, copy + "/" + f));
            copies << copy;
        }
        const RuntimeOptions rt;
        int64_t one = 0;
        ModelPool::identity("sd-vae:" + copies[0].toStdString(), rt, &one);
        ModelPool pool(2 * one + one / 2); // room for two
        std::weak_ptr<PooledModel> first = pool.acquire("sd-vae:" + copies[0].toStdString(), rt);
        pool.acquire("sd-vae:" + copies[1].toStdString(), rt);
        pool.acquire("sd-vae:" + copies[0].toStdString(), rt); // copy 0 used again: copy 1 is now the oldest
        pool.acquire("sd-vae:" + copies[2].toStdString(), rt);
        QCOMPARE(pool.size(), 2);
        QVERIFY(!first.expired()); // still in the pool
        QCOMPARE(pool.loads(), 3);
        pool.acquire("sd-vae:" + copies[1].toStdString(), rt); // was evicted: loaded again
        QCOMPARE(pool.loads(), 4);
    }

    void aSlowLoadBlocksNoOtherModel()
    {
        std::promise<void> release;
        std::shared_future<void> gate = release.get_future().share();
        ModelPool pool(int64_t(1) << 30, [gate](const std::string &spec, const RuntimeOptions &rt, const std::atomic<bool> *) {
            if (spec == "jpeg:50") gate.wait(); // "loading an SD-VAE"
            return makeReconstructor(spec, rt);
        });
        auto slow = std::async(std::launch::async, [&] { return pool.acquire("jpeg:50", {}); });
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        auto fast = std::async(std::launch::async, [&] { return pool.acquire("bicubic8", {}); });
        QVERIFY2(fast.wait_for(std::chrono::seconds(5)) == std::future_status::ready, "bicubic8 waited for another model's load");
        QVERIFY(fast.get()->model);
        // A second request for the loading model waits for that one load instead of loading again.
        auto again = std::async(std::launch::async, [&] { return pool.acquire("jpeg:50", {}); });
        QVERIFY(again.wait_for(std::chrono::milliseconds(100)) == std::future_status::timeout);
        release.set_value();
        QCOMPARE(slow.get().get(), again.get().get());
        QCOMPARE(pool.loads(), 2);
    }

    void cancelEndsAWaitAndALoadPromptly()
    {
        // A 2-second load that checks its cancel flag, as the SD-VAE loader does between tensors.
        ModelPool pool(int64_t(1) << 30, [](const std::string &spec, const RuntimeOptions &rt, const std::atomic<bool> *cancel) {
            for (int i = 0; i < 400; ++i) {
                if (cancel && cancel->load()) throw Canceled("load canceled");
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
            return makeReconstructor(spec, rt);
        });
        std::atomic<bool> stopLoader{false}, stopWaiter{false}, never{false};
        auto loader = std::async(std::launch::async, [&] { return pool.acquire("jpeg:40", {}, &stopLoader); });
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        auto waiter = std::async(std::launch::async, [&] { return pool.acquire("jpeg:40", {}, &stopWaiter); });
        auto keeper = std::async(std::launch::async, [&] { return pool.acquire("jpeg:40", {}, &never); });
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        const auto t0 = std::chrono::steady_clock::now();
        stopWaiter = true; // a waiter gives up without disturbing the load
        QVERIFY_THROWS_EXCEPTION(Canceled, waiter.get());
        stopLoader = true; // the loading caller gives up: its load stops
        QVERIFY_THROWS_EXCEPTION(Canceled, loader.get());
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        QVERIFY2(ms < 200, qPrintable(QStringLiteral("%1 ms").arg(ms)));
        // The caller still waiting for that load was not canceled: it loads the model itself.
        QVERIFY(keeper.get()->model);
        QCOMPARE(pool.loads(), 1);
    }

    void aCanceledVaeLoadStopsAndIsNotKept()
    {
        CPRECON_REQUIRE_PATH(dir, test::fixture(QStringLiteral("vae/tiny")));
        std::atomic<bool> stop{true};
        // The real loader honours the flag (checked between its steps and between tensors) ...
        QVERIFY_THROWS_EXCEPTION(Canceled, makeReconstructor("sd-vae:" + dir.toStdString(), {}, &stop));
        // ... and the pool keeps nothing of a canceled request.
        ModelPool pool;
        QVERIFY_THROWS_EXCEPTION(Canceled, pool.acquire("sd-vae:" + dir.toStdString(), {}, &stop));
        QCOMPARE(pool.size(), 0);
        stop = false;
        QVERIFY(pool.acquire("sd-vae:" + dir.toStdString(), {}, &stop)->model);
    }

    void failedLoadsAreNotKeptAndThePoolReleasesItsModels()
    {
        std::weak_ptr<PooledModel> held;
        {
            ModelPool pool;
            QVERIFY_THROWS_EXCEPTION(Error, pool.acquire("no-such-model", {}));
            QCOMPARE(pool.size(), 0);
            held = pool.acquire("bicubic8", {});
            QVERIFY(!held.expired());
        }
        QVERIFY(held.expired()); // released with the pool, not at static destruction
    }
};

QTEST_GUILESS_MAIN(TestModelPool)
#include "tst_modelpool.moc"
