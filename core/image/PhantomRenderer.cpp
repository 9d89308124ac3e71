#include "image/PhantomRenderer.h"

#include "util/Error.h"

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <vector>

namespace cprecon::phantom {

const QStringList &channelStains()
{
    static const QStringList s{QStringLiteral("Mito"), QStringLiteral("AGP"), QStringLiteral("RNA"),
                               QStringLiteral("ER"), QStringLiteral("DNA")};
    return s;
}

namespace {

enum Ch { Mito = 0, Agp = 1, Rna = 2, Er = 3, Dna = 4 };

// Background (camera offset + autofluorescence) and typical signal peak per channel, in 16-bit counts.
constexpr float kBackground[5] = {520, 560, 600, 650, 500};
constexpr float kSignal[5] = {9000, 6500, 7000, 5000, 9000};
constexpr double kCellsPer1080Field = 55.0; // U2OS-like confluence at 20x

struct Cell {
    cv::Point2f centre;
    float a = 0, b = 0, angle = 0;     // body ellipse semi-axes (px) and angle (deg)
    cv::Point2f nucleus;
    float na = 0, nb = 0, nangle = 0;  // nucleus ellipse
    float gain[5] = {1, 1, 1, 1, 1};   // per-cell brightness variation per channel
};

struct Effects {
    double nucleus = 1, count = 1, size = 1, mito = 1, dna = 1, erTexture = 1, fibres = 1, nucleoli = 1;
};

Effects effectsOf(const Design &d, int well)
{
    Effects e;
    const int c = d.wellCompound[well];
    if (c < 0) return e;
    const Compound &cp = d.compounds[c];
    const double f = 1.0 + cp.strength;
    switch (cp.effect) {
    case Effect::None: break;
    case Effect::NucleusSize: e.nucleus = f; break;
    case Effect::CellCount: e.count = f; break;
    case Effect::CellSize: e.size = f; break;
    case Effect::MitoIntensity: e.mito = f; break;
    case Effect::DnaIntensity: e.dna = f; break;
    case Effect::ErTexture: e.erTexture = f; break;
    case Effect::AgpFibres: e.fibres = f; break;
    case Effect::RnaNucleoli: e.nucleoli = f; break;
    }
    return e;
}

// White noise blurred to a correlation length of sigma px, rescaled to unit standard deviation.
cv::Mat texture(cv::RNG &rng, cv::Size size, double sigma)
{
    cv::Mat t(size, CV_32FC1);
    rng.fill(t, cv::RNG::NORMAL, 0.0, 1.0);
    cv::GaussianBlur(t, t, cv::Size(0, 0), sigma);
    t *= 2.0 * std::sqrt(M_PI) * sigma; // std of Gaussian-blurred unit white noise is 1 / (2 sqrt(pi) sigma)
    return t;
}

// A point uniformly inside the ellipse (centre, a, b, angle), scaled by `reach` (0..1).
cv::Point2f insideEllipse(cv::RNG &rng, const cv::Point2f &c, float a, float b, float angleDeg, float reach)
{
    const double r = std::sqrt(rng.uniform(0.0, 1.0)) * reach, t = rng.uniform(0.0, 2 * M_PI);
    const double ex = r * a * std::cos(t), ey = r * b * std::sin(t), th = angleDeg * M_PI / 180.0;
    return {float(c.x + ex * std::cos(th) - ey * std::sin(th)), float(c.y + ex * std::sin(th) + ey * std::cos(th))};
}

std::vector<Cell> placeCells(cv::RNG &rng, int size, const Effects &e)
{
    const double area = double(size) * size / (1080.0 * 1080.0);
    const double lambda = kCellsPer1080Field * area * e.count;
    const int n = std::max(0, int(std::lround(lambda + std::sqrt(lambda) * rng.gaussian(1.0))));
    const float minDist = float(42.0 * e.size);
    std::vector<Cell> cells;
    for (int i = 0; i < n; ++i) {
        Cell c;
        bool placed = false;
        for (int attempt = 0; attempt < 40 && !placed; ++attempt) {
            c.centre = {float(rng.uniform(0.0, double(size))), float(rng.uniform(0.0, double(size)))};
            placed = true;
            for (const Cell &o : cells)
                if (cv::norm(o.centre - c.centre) < minDist) { placed = false; break; }
        }
        if (!placed) continue; // field is full
        c.a = float(rng.uniform(38.0, 55.0) * e.size);
        c.b = float(c.a * rng.uniform(0.6, 1.0));
        c.angle = float(rng.uniform(0.0, 180.0));
        c.na = float(std::min(rng.uniform(13.0, 17.0) * e.nucleus, 0.8 * c.b));
        c.nb = float(c.na * rng.uniform(0.75, 1.0));
        c.nangle = float(c.angle + rng.gaussian(20.0));
        c.nucleus = insideEllipse(rng, c.centre, c.a - c.na, c.b - c.nb, c.angle, 0.3f);
        for (float &g : c.gain) g = float(std::max(0.4, 1.0 + rng.gaussian(0.15)));
        cells.push_back(c);
    }
    return cells;
}

cv::Size axes(float a, float b)
{
    return {std::max(1, int(std::lround(a))), std::max(1, int(std::lround(b)))};
}

} // namespace

cv::Mat illuminationFunction(const Design &d, int plate, int ch)
{
    const int s = d.spec.size;
    cv::RNG rng(streamSeed(d.spec.seed, 20, uint64_t(plate), uint64_t(ch)));
    const double strength = rng.uniform(0.20, 0.35);
    const double cx = s * (0.5 + rng.uniform(-0.06, 0.06)), cy = s * (0.5 + rng.uniform(-0.06, 0.06));
    const double half = s / std::sqrt(2.0);
    cv::Mat f(s, s, CV_64FC1);
    for (int y = 0; y < s; ++y) {
        double *p = f.ptr<double>(y);
        for (int x = 0; x < s; ++x) {
            const double r2 = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (half * half);
            p[x] = 1.0 - strength * r2 / (1.0 + 0.3 * r2); // smooth, monotone, strictly positive
        }
    }
    return f;
}

std::array<cv::Mat, 5> renderSite(const Design &d, int plate, int well, int site, const std::array<cv::Mat, 5> &illum)
{
    const int s = d.spec.size;
    const cv::Size size(s, s);
    const Effects e = effectsOf(d, well);
    cv::RNG rng(streamSeed(d.spec.seed, 10, uint64_t(plate), uint64_t(well), uint64_t(site)));
    cv::RNG plateRng(streamSeed(d.spec.seed, 12, uint64_t(plate)));
    cv::RNG wellRng(streamSeed(d.spec.seed, 11, uint64_t(plate), uint64_t(well)));
    float scale[5];
    for (int c = 0; c < 5; ++c) // batch effect per plate (5 %) and well-to-well variation (3 %)
        scale[c] = float((1.0 + plateRng.gaussian(0.05)) * (1.0 + wellRng.gaussian(0.03)));

    const std::vector<Cell> cells = placeCells(rng, s, e);

    cv::Mat nucleus(size, CV_32FC1, cv::Scalar(0)), body(size, CV_32FC1, cv::Scalar(0));
    cv::Mat nucleoli(size, CV_32FC1, cv::Scalar(0)), membrane(size, CV_32FC1, cv::Scalar(0));
    cv::Mat fibres(size, CV_32FC1, cv::Scalar(0)), puncta(size, CV_32FC1, cv::Scalar(0));
    for (const Cell &c : cells) {
        cv::ellipse(body, c.centre, axes(c.a, c.b), c.angle, 0, 360, cv::Scalar(1.0), cv::FILLED);
        cv::ellipse(membrane, c.centre, axes(c.a, c.b), c.angle, 0, 360, cv::Scalar(c.gain[Agp]), 3);
    }
    cv::Mat bodyMask = body.clone(); // binary cytoplasm extent (before nuclei are drawn over it)
    for (const Cell &c : cells) {
        cv::ellipse(nucleus, c.nucleus, axes(c.na, c.nb), c.nangle, 0, 360, cv::Scalar(c.gain[Dna]), cv::FILLED);
        // RNA: 2-4 nucleoli inside the nucleus
        const int nn = rng.uniform(2, 5);
        for (int k = 0; k < nn; ++k)
            cv::circle(nucleoli, insideEllipse(rng, c.nucleus, c.na, c.nb, c.nangle, 0.6f),
                       std::max(1, int(std::lround(rng.uniform(2.0, 4.0)))), cv::Scalar(c.gain[Rna]), cv::FILLED);
        // AGP: roughly parallel stress fibres across the cell body
        const int nf = int(std::lround(rng.uniform(3.0, 7.0) * e.fibres));
        for (int k = 0; k < nf; ++k) {
            const cv::Point2f p = insideEllipse(rng, c.centre, c.a, c.b, c.angle, 0.8f);
            const double th = (c.angle + rng.gaussian(15.0)) * M_PI / 180.0;
            const cv::Point2f dir(float(std::cos(th) * c.a), float(std::sin(th) * c.a));
            cv::line(fibres, p - dir, p + dir, cv::Scalar(0.6 * c.gain[Agp]), 1);
        }
        // Mito: puncta in the cytoplasm, denser near the nucleus
        const int np = int(c.a * c.b / 30.0);
        for (int k = 0; k < np; ++k) {
            const cv::Point2f p = insideEllipse(rng, c.centre, c.a, c.b, c.angle, float(rng.uniform(0.3, 0.95)));
            cv::circle(puncta, p, rng.uniform(1, 3), cv::Scalar(c.gain[Mito] * rng.uniform(0.6, 1.4)), cv::FILLED);
        }
    }
    cv::Mat nucleusMask;
    cv::threshold(nucleus, nucleusMask, 0, 1.0, cv::THRESH_BINARY);
    fibres = fibres.mul(bodyMask);
    puncta = puncta.mul(bodyMask - nucleusMask.mul(bodyMask));

    // Perinuclear gradient (ER is densest around the nucleus): a wide blur, computed at quarter resolution.
    cv::Mat small, perinuclear;
    cv::resize(nucleusMask, small, cv::Size(std::max(1, s / 4), std::max(1, s / 4)), 0, 0, cv::INTER_AREA);
    cv::GaussianBlur(small, small, cv::Size(0, 0), 4.0);
    cv::resize(small, perinuclear, size, 0, 0, cv::INTER_LINEAR);
    perinuclear = cv::min(perinuclear * 3.0, 1.0);

    cv::Mat soft = [](cv::Mat m, double sigma) { cv::GaussianBlur(m, m, cv::Size(0, 0), sigma); return m; }(bodyMask.clone(), 2.0);
    cv::Mat nucleusSoft;
    cv::GaussianBlur(nucleusMask, nucleusSoft, cv::Size(0, 0), 1.5);

    std::array<cv::Mat, 5> signal;
    {   // DNA: nuclei with chromatin texture
        cv::Mat dna;
        cv::GaussianBlur(nucleus, dna, cv::Size(0, 0), 1.5);
        signal[Dna] = dna.mul(1.0 + 0.2 * texture(rng, size, 1.5)) * (kSignal[Dna] * e.dna);
    }
    {   // ER: cytoplasmic, perinuclear, reticular texture, mostly excluded from the nucleus
        cv::Mat tex = cv::max(1.0 + (0.35 * e.erTexture) * texture(rng, size, 1.2), 0.0);
        cv::Mat er = soft.mul(0.35 + 0.65 * perinuclear).mul(tex).mul(1.0 - 0.7 * nucleusSoft);
        signal[Er] = er * kSignal[Er];
    }
    {   // RNA: weak cytoplasm, moderate nucleus, bright nucleoli
        cv::Mat nl;
        cv::GaussianBlur(nucleoli, nl, cv::Size(0, 0), 1.2);
        signal[Rna] = (0.2 * soft + 0.3 * nucleusSoft + e.nucleoli * nl) * kSignal[Rna];
    }
    {   // AGP: cell outlines, stress fibres, faint cortex
        cv::Mat agp = membrane + fibres + 0.15 * bodyMask;
        cv::GaussianBlur(agp, agp, cv::Size(0, 0), 1.2);
        signal[Agp] = agp * kSignal[Agp];
    }
    {   // Mito: puncta
        cv::Mat mito;
        cv::GaussianBlur(puncta, mito, cv::Size(0, 0), 1.3);
        signal[Mito] = mito * (kSignal[Mito] * e.mito);
    }

    std::array<cv::Mat, 5> out;
    cv::Mat noise(size, CV_32FC1);
    for (int c = 0; c < 5; ++c) {
        if (illum[c].size() != size || illum[c].type() != CV_32FC1)
            throw Error("phantom illumination function must be CV_32F and image-sized", "", "internal error");
        // expected counts v = (background + signal) x illumination; shot noise (variance 2 v) and read noise
        // (sd 12) combined into one Gaussian of variance 2 v + 144; rounded and saturated to uint16.
        rng.fill(noise, cv::RNG::NORMAL, 0.0, 1.0);
        out[c].create(size, CV_16UC1);
        const float sc = scale[c], bg = kBackground[c];
        for (int y = 0; y < s; ++y) {
            const float *sig = signal[c].ptr<float>(y), *g = illum[c].ptr<float>(y), *n = noise.ptr<float>(y);
            ushort *o = out[c].ptr<ushort>(y);
            for (int x = 0; x < s; ++x) {
                const float v = (sig[x] * sc + bg) * g[x];
                o[x] = cv::saturate_cast<ushort>(v + std::sqrt(2.0f * v + 144.0f) * n[x]);
            }
        }
    }
    return out;
}

} // namespace cprecon::phantom
