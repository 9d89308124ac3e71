// The oneDNN kernels of the networks' fp32 CPU path (core/nets/private/DnnlMatmul.h, DnnlConv.h) against
// LibTorch's own ops on random data: every epilogue part, strided and transposed operands, writes into a view of a
// larger buffer, broadcast batch dims, and convolutions of every shape class InceptionV3 uses. The networks' own
// fixture tests (models.inception, models.openphenom) check the assembled networks against the references.
// LibTorch first: Qt's keyword macros (slots, signals, emit) would break its headers (GOTCHAS 1).
#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include "nets/private/DnnlConv.h"
#include "nets/private/DnnlMatmul.h"
#include "nets/TorchRuntime.h"

#include "TestSupport.h"

using namespace cprecon;

namespace {

double maxRelDiff(const torch::Tensor &got, const torch::Tensor &ref)
{
    const double scale = std::max(1.0, ref.abs().max().item<double>());
    return (got - ref).abs().max().item<double>() / scale;
}

} // namespace

class TestDnnlKernels : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        torchrt::followComputeBudget();
        torch::manual_seed(7);
        if (!dnnl_mm::usable(torch::zeros({1})))
            QSKIP("built without oneDNN (libdnnl-dev): the networks use LibTorch's ops, tested by their fixtures");
    }

    void linearWithEveryEpiloguePart()
    {
        torch::NoGradGuard ng;
        const auto x = torch::randn({2, 37, 48});
        const auto w = torch::randn({72, 48}); // Linear weight [out, in]: used transposed, as a view
        const auto bias = torch::randn({72}), gamma = torch::randn({72}), residual = torch::randn({2, 37, 72});
        dnnl_mm::Epilogue e;
        e.scale = 0.37f;
        e.bias = bias;
        e.gelu = true;
        e.mul = gamma;
        e.add = residual;
        const auto got = dnnl_mm::matmul(x, w.t(), e);
        const auto ref = residual + gamma * torch::gelu(0.37 * (torch::matmul(x, w.t()) + bias));
        QCOMPARE(got.sizes().vec(), ref.sizes().vec());
        QVERIFY2(maxRelDiff(got, ref) < 1e-5, qPrintable(QString::number(maxRelDiff(got, ref))));
        // Each part alone, so one that is silently ignored cannot hide behind another.
        dnnl_mm::Epilogue onlyBias;
        onlyBias.bias = bias;
        QVERIFY(maxRelDiff(dnnl_mm::matmul(x, w.t(), onlyBias), torch::matmul(x, w.t()) + bias) < 1e-5);
        dnnl_mm::Epilogue onlyMul;
        onlyMul.mul = gamma;
        QVERIFY(maxRelDiff(dnnl_mm::matmul(x, w.t(), onlyMul), torch::matmul(x, w.t()) * gamma) < 1e-5);
        dnnl_mm::Epilogue onlyAdd;
        onlyAdd.add = residual;
        QVERIFY(maxRelDiff(dnnl_mm::matmul(x, w.t(), onlyAdd), torch::matmul(x, w.t()) + residual) < 1e-5);
    }

    void batchedProductsWithStridedOperands()
    {
        torch::NoGradGuard ng;
        // Attention shapes: heads as a strided view of a token-major buffer, k transposed by strides.
        const int64_t B = 2, N = 29, H = 3, D = 8;
        const auto qkv = torch::randn({B, N, 3 * H * D});
        auto heads = [&](int i) { return qkv.narrow(2, i * H * D, H * D).view({B, N, H, D}).transpose(1, 2); };
        const auto q = heads(0), k = heads(1), v = heads(2);
        const auto scores = dnnl_mm::matmul(q, k.transpose(-2, -1));
        QVERIFY(maxRelDiff(scores, torch::matmul(q, k.transpose(-2, -1))) < 1e-5);
        // P·v written into the first H·D columns of a wider buffer, in token-major order; the rest untouched.
        const auto p = scores.softmax(-1);
        auto wide = torch::full({B, N, H * D + 5}, 42.0f);
        dnnl_mm::matmulInto(p, v, wide.narrow(2, 0, H * D).view({B, N, H, D}).transpose(1, 2));
        const auto ref = torch::matmul(p, v).transpose(1, 2).reshape({B, N, H * D});
        QVERIFY(maxRelDiff(wide.narrow(2, 0, H * D), ref) < 1e-5);
        QVERIFY(torch::all(wide.narrow(2, H * D, 5) == 42.0f).item<bool>());
    }

    void bf16OperandsAccumulateInFp32()
    {
        torch::NoGradGuard ng;
        // bf16 operands (the bf16 path), fp32 and bf16 destinations: the same as fp32 maths on the bf16-rounded
        // inputs — oneDNN accumulates in fp32 — with the epilogue applied before the final rounding.
        const auto a = torch::randn({2, 33, 64}).to(torch::kBFloat16), w = torch::randn({40, 64}).to(torch::kBFloat16);
        const auto bias = torch::randn({40});
        dnnl_mm::Epilogue e;
        e.bias = bias;
        e.gelu = true;
        const auto ref = torch::gelu(torch::matmul(a.to(torch::kFloat), w.to(torch::kFloat).t()) + bias);
        const auto f32 = dnnl_mm::matmul(a, w.t(), e);
        QCOMPARE(f32.scalar_type(), torch::kFloat);
        QVERIFY2(maxRelDiff(f32, ref) < 1e-5, qPrintable(QString::number(maxRelDiff(f32, ref))));
        const auto b16 = dnnl_mm::matmul(a, w.t(), e, torch::kBFloat16);
        QCOMPARE(b16.scalar_type(), torch::kBFloat16);
        QVERIFY(maxRelDiff(b16.to(torch::kFloat), ref) < 1e-2); // one bf16 rounding (8 bits of mantissa)
        QVERIFY(maxRelDiff(b16.to(torch::kFloat), ref) > 0);    // and it was rounded
    }

    void convolutionsMatchLibTorch()
    {
        torch::NoGradGuard ng;
        struct Case {
            int64_t cin, cout, kh, kw, stride, padH, padW, size;
        };
        // InceptionV3's classes: the 3-channel stem (stride 2), 3×3 with and without padding, 1×1, 1×7 / 7×1
        // with asymmetric padding, 5×5, stride-2 reductions.
        const Case cases[] = {{3, 32, 3, 3, 2, 0, 0, 31}, {32, 64, 3, 3, 1, 1, 1, 17}, {64, 80, 1, 1, 1, 0, 0, 15},
                              {48, 64, 5, 5, 1, 2, 2, 13}, {40, 48, 1, 7, 1, 0, 3, 11}, {40, 48, 7, 1, 1, 3, 0, 11},
                              {96, 96, 3, 3, 2, 0, 0, 19}};
        for (const Case &c : cases) {
            const auto w = torch::randn({c.cout, c.cin, c.kh, c.kw}) * 0.1, b = torch::randn({c.cout});
            dnnl_conv::Conv2d conv(w, b, {c.stride, c.stride}, {c.padH, c.padW}, /*relu=*/true);
            for (int64_t n : {2, 1}) { // a second batch size: a second plan, the first kept
                const auto x = torch::randn({n, c.cin, c.size, c.size + 2});
                const auto ref = torch::conv2d(x, w, b, c.stride, torch::IntArrayRef{c.padH, c.padW}).relu();
                for (const auto &input : {x, x.contiguous(torch::MemoryFormat::ChannelsLast)}) {
                    const auto got = conv.forward(input);
                    QCOMPARE(got.sizes().vec(), ref.sizes().vec());
                    QVERIFY(got.is_contiguous(torch::MemoryFormat::ChannelsLast));
                    const double d = maxRelDiff(got, ref);
                    QVERIFY2(d < 1e-5, qPrintable(QStringLiteral("%1→%2 %3×%4: %5").arg(c.cin).arg(c.cout).arg(c.kh).arg(c.kw).arg(d)));
                }
            }
            QVERIFY(torch::all(conv.forward(-torch::ones({1, c.cin, c.size, c.size})) >= 0).item<bool>()); // ReLU
        }
    }

    void autocastAndOtherDtypesKeepLibTorch()
    {
        QVERIFY(!dnnl_mm::usable(torch::zeros({2, 2}, torch::kDouble)));
        QVERIFY(!dnnl_conv::Conv2d::usable(torch::zeros({1, 1, 4, 4}, torch::kBFloat16)));
        at::autocast::set_cpu_enabled(true);
        const bool underAutocast = dnnl_mm::usable(torch::zeros({2, 2})) || dnnl_conv::Conv2d::usable(torch::zeros({1, 1, 4, 4}));
        at::autocast::set_cpu_enabled(false);
        QVERIFY(!underAutocast);
        QVERIFY(dnnl_mm::usable(torch::zeros({2, 2})));
        QVERIFY(!dnnl_mm::usableBf16(torch::zeros({2, 2}))); // bf16 only under bf16 autocast
        at::autocast::set_cpu_enabled(true);
        const bool bf16UnderAutocast = dnnl_mm::usableBf16(torch::zeros({2, 2}));
        at::autocast::set_cpu_enabled(false);
        if (__builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) QVERIFY(bf16UnderAutocast);
        else QVERIFY(!bf16UnderAutocast);
    }
};

QTEST_GUILESS_MAIN(TestDnnlKernels)
#include "tst_dnnlkernels.moc"
