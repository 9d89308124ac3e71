// The heap policy the networks start (jobs/HeapPolicy.h, applied by torchrt::followComputeBudget): a large block
// freed and allocated again — every forward pass's activations — is served from the heap without faulting its
// pages in again, and releaseFreeMemory() hands the free pages back.
#include "jobs/HeapPolicy.h"
#include "nets/TorchRuntime.h"

#include "TestSupport.h"

#include <QFile>

#include <sys/resource.h>

#include <cstdlib>
#include <cstring>

using namespace cprecon;

namespace {

constexpr size_t kBlock = 96u << 20; // above glibc's largest mmap threshold (32 MiB)
constexpr long kPages = long(kBlock / 4096);

// Makes the writes to `p` observable, so the compiler cannot drop malloc + memset + free as dead code.
void touch(void *p, int value)
{
    std::memset(p, value, kBlock);
    asm volatile("" : : "r"(p) : "memory");
}

long minorFaults()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_minflt;
}

// Minor faults while filling a block that was freed once before at the same size.
long faultsOfSecondUse()
{
    void *first = std::malloc(kBlock);
    touch(first, 1);
    std::free(first);
    const long before = minorFaults();
    void *second = std::malloc(kBlock);
    touch(second, 2);
    const long faults = minorFaults() - before;
    std::free(second);
    return faults;
}

long residentKb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly)) return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:")) return line.mid(6).trimmed().split(' ').value(0).toLong();
    return -1;
}

bool hugePagesAlways()
{
    QFile f(QStringLiteral("/sys/kernel/mm/transparent_hugepage/enabled"));
    return f.open(QIODevice::ReadOnly) && f.readAll().contains("[always]");
}

} // namespace

class TestHeapPolicy : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Runs first, before anything applies the policy: glibc's default maps such a block anew each time. Shows the
    // measurement sees the difference (with transparent huge pages on "always" a fault covers 2 MiB, so no claim).
    void withoutThePolicyEveryUseFaultsAgain()
    {
        const long faults = faultsOfSecondUse();
        qInfo("default heap: %ld minor faults for %ld pages", faults, kPages);
        if (!hugePagesAlways()) QVERIFY2(faults > kPages / 2, qPrintable(QString::number(faults)));
    }

    void theNetworksRuntimeKeepsFreedBlocksForReuse()
    {
        torchrt::followComputeBudget(); // what every network does before its first pass
        faultsOfSecondUse();            // the first use after the switch may still grow the heap
        const long faults = faultsOfSecondUse();
        qInfo("policy: %ld minor faults for %ld pages", faults, kPages);
        QVERIFY2(faults < kPages / 20, qPrintable(QString::number(faults)));
    }

    void releaseFreeMemoryGivesThePagesBack()
    {
        heap::keepFreedBlocksForReuse();
        void *block = std::malloc(kBlock);
        touch(block, 3);
        void *guard = std::malloc(64); // keeps the block off the top of the heap, where only trimming returns it
    asm volatile("" : : "r"(guard) : "memory");
        std::free(block);
        const long kept = residentKb();
        heap::releaseFreeMemory();
        const long released = residentKb();
        std::free(guard);
        qInfo("RSS %ld kB with the freed block kept, %ld kB after releaseFreeMemory", kept, released);
        QVERIFY2(kept - released > long(kBlock / 1024) * 9 / 10, qPrintable(QStringLiteral("%1 -> %2").arg(kept).arg(released)));
    }
};

QTEST_GUILESS_MAIN(TestHeapPolicy)
#include "tst_heappolicy.moc"
