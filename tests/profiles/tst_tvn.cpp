// Well aggregation and TVN against fixtures/retrieval/tvn_reference.safetensors (pandas + sklearn 1.2), abs <= 1e-9.
#include "TestSupport.h"
#include "profiles/Aggregate.h"
#include "profiles/Tvn.h"
#include "util/Error.h"
#include "weights/SafetensorsFile.h"

#include <cmath>

using namespace cprecon;
using namespace cprecon::profiles;

namespace {

double maxAbsDiff(const double *a, const std::vector<double> &b, std::size_t n)
{
    double w = 0;
    for (std::size_t i = 0; i < n; ++i) w = std::max(w, std::abs(a[i] - b[i]));
    return w;
}

} // namespace

class TestTvn : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aggregationAndTvnMatchSklearn()
    {
        CPRECON_REQUIRE_PATH(sites, test::fixture(QStringLiteral("retrieval/tvn_sites.csv")));
        CPRECON_REQUIRE_PATH(refPath, test::fixture(QStringLiteral("retrieval/tvn_reference.safetensors")));
        const SafetensorsFile ref(refPath.toStdString());
        const ProfileTable siteTable = readProfileTable(sites.toStdString());
        QCOMPARE(siteTable.features.cols(), Eigen::Index(16));
        const auto negcon = ref.toU8("well_is_negcon");
        const auto plateIndex = ref.toInt64("well_plate_index");
        for (const char *agg : {"mean", "median"}) {
            const ProfileTable wells = aggregateWells(siteTable, parseAggregation(agg));
            QCOMPARE(wells.rows(), std::size_t(160));
            QVERIFY(wells.metaIndex("Metadata_Site") < 0); // varies within a well: dropped
            const double aggDiff = maxAbsDiff(wells.features.data(), ref.toDouble(std::string("agg_") + agg), 160 * 16);
            qInfo("%s aggregation: max diff %.3g", agg, aggDiff);
            QVERIFY(aggDiff <= 1e-9);
            const auto &ctrl = wells.metaColumn("Metadata_control_type");
            const auto &plate = wells.metaColumn("Metadata_Plate");
            std::vector<unsigned char> isCtrl(160);
            std::vector<int> plateId(160);
            for (std::size_t i = 0; i < 160; ++i) {
                isCtrl[i] = ctrl[i] == "negcon";
                plateId[i] = plate[i].back() - '0';
                QCOMPARE(int(isCtrl[i]), int(negcon[i]));
                QCOMPARE(std::int64_t(plateId[i]), plateIndex[i]);
            }
            for (const char *variant : {"whiten", "nowhiten_vt"}) {
                TvnOptions o;
                o.whiten = std::string(variant) == "whiten";
                o.varianceThreshold = o.whiten ? 0.0 : 0.05;
                const TvnResult r = tvnTransform(wells.features, isCtrl, plateId, o);
                const std::string key = std::string(variant) + "." + agg + ".";
                auto check = [&](const char *name, const double *mine, std::size_t n) {
                    const auto want = ref.toDouble(key + name);
                    QCOMPARE(want.size(), n);
                    const double diff = maxAbsDiff(mine, want, n);
                    qInfo("%s%s: max diff %.3g", key.c_str(), name, diff);
                    QVERIFY2(diff <= 1e-9, (key + name).c_str());
                };
                check("scaler_mean", r.fit.scalerMean.data(), 16);
                check("scaler_scale", r.fit.scalerScale.data(), 16);
                check("pca_mean", r.fit.pcaMean.data(), 16);
                const RowMatrix comps = r.fit.components; // row-major like numpy
                check("pca_components", comps.data(), 256);
                check("pca_explained_variance", r.fit.explainedVariance.data(), 16);
                QCOMPARE(r.fit.support, ref.toU8(key + "vt_support"));
                check("global", r.global.data(), 160 * std::size_t(r.global.cols()));
                check("tvn", r.tvn.data(), 160 * std::size_t(r.tvn.cols()));
                QVERIFY(r.notes.empty());
            }
        }
    }

    void controlsSpanFewerDimensionsThanFeatures()
    {
        // 5 controls in 8 dimensions: only 4 components are defined; whitening must not divide by zero.
        RowMatrix X = RowMatrix::Random(12, 8);
        std::vector<unsigned char> ctrl(12, 0);
        std::vector<int> plate(12, 0);
        for (int i = 0; i < 5; ++i) ctrl[static_cast<std::size_t>(i)] = 1;
        X.col(3).setConstant(2.0); // constant feature
        TvnOptions o;
        o.perPlate = false;
        const auto r = tvnTransform(X, ctrl, plate, o);
        QCOMPARE(r.global.cols(), Eigen::Index(4));
        QVERIFY(r.global.allFinite());
        QVERIFY(!r.notes.empty());
    }

    void platesWithoutControlsAreExcluded()
    {
        RowMatrix X = RowMatrix::Random(10, 3);
        std::vector<unsigned char> ctrl{1, 1, 1, 0, 0, 1, 0, 0, 0, 0};
        std::vector<int> plate{0, 0, 0, 0, 0, 1, 1, 1, 2, 2};
        const auto r = tvnTransform(X, ctrl, plate, {});
        QCOMPARE(r.rowKept, (std::vector<unsigned char>{1, 1, 1, 1, 1, 0, 0, 0, 0, 0}));
        QCOMPARE(r.notes.size(), std::size_t(2)); // plate 1 (one control), plate 2 (none)
        QVERIFY(r.tvn.topRows(5).allFinite());
        // No controls at all: a named error.
        QVERIFY_THROWS_EXCEPTION(Error, tvnTransform(X, std::vector<unsigned char>(10, 0), plate, {}));
    }
};

QTEST_GUILESS_MAIN(TestTvn)
#include "tst_tvn.moc"
