#!/usr/bin/python3
"""Reference timings for `cprecon-cli bench metrics --reference` (Debian's python3-skimage / python3-scipy).

Times, on this machine, the reference implementations the C++ metrics are checked against:
  * skimage.metrics.structural_similarity (gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
    data_range=255) per 256x256 uint8 channel, single call = one channel
  * MAE / EMD as numpy one-liners (mean |x - y|, mean |sort(x) - sort(y)|) per channel
  * FID with the pytorch-fid 0.3.0 algorithm (calculate_frechet_distance: scipy.linalg.sqrtm(sigma1 @ sigma2),
    eps retry, real part), with the statistics (np.mean, np.cov) timed separately, at d = 2048 and the requested N.
Prints `key: value` lines that the C++ command parses. Run with /usr/bin/python3 (Debian's numpy/scipy/skimage).
Synthetic FID features come from numpy's seeded generator (same distribution family and sizes as the C++ bench,
not the same values: only the timings are compared).
"""
import argparse
import json
import os
import resource
import struct
import sys
import time

import numpy as np
import scipy.linalg


def load_images(path):
    """orig_u8 / recon_u8 (N x C x H x W uint8) from a safetensors file, or None."""
    if not path or not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for key in ("orig_u8", "recon_u8"):
        if key not in header:
            return None
        h = header[key]
        b, e = h["data_offsets"]
        out[key] = np.frombuffer(data[b:e], dtype=np.uint8).reshape(h["shape"])
    return out["orig_u8"].reshape(-1, 256, 256), out["recon_u8"].reshape(-1, 256, 256)


def synthetic_images(count, seed=1):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 256, size=(count, 256, 256), dtype=np.uint8)
    noise = rng.integers(-6, 7, size=a.shape)
    b = np.clip(a.astype(np.int16) + noise, 0, 255).astype(np.uint8)
    return a, b


def best_time(fn, repeat):
    """(best wall time, best thread CPU time) over `repeat` runs: CPU time is robust on a shared machine."""
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeat):
        t, c = time.perf_counter(), time.thread_time()
        fn()
        best = min(best, time.perf_counter() - t)
        best_cpu = min(best_cpu, time.thread_time() - c)
    return best, best_cpu


def calculate_frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """The pytorch-fid 0.3.0 algorithm (re-typed here for timing; same operations)."""
    diff = mu1 - mu2
    covmean, _ = scipy.linalg.sqrtm(sigma1.dot(sigma2), disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = scipy.linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError("Imaginary component {}".format(np.max(np.abs(covmean.imag))))
        covmean = covmean.real
    return diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean)


def synthetic_features(n, d, seed, rank=64):
    """Inception-like non-negative correlated features: softplus(low-rank model + noise), float32."""
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((rank, d)).astype(np.float32) / np.sqrt(rank)
    out = np.empty((n, d), dtype=np.float32)
    for s in range(0, n, 4096):
        e = min(n, s + 4096)
        z = rng.standard_normal((e - s, rank)).astype(np.float32)
        x = z @ w + 0.5 * rng.standard_normal((e - s, d)).astype(np.float32)
        out[s:e] = np.logaddexp(0, x)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--images", default="", help="images.safetensors with orig_u8/recon_u8 (default: synthetic)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--dim", type=int, default=2048)
    p.add_argument("--fid-n", default="5000,50000", help="comma-separated N per set")
    p.add_argument("--skip-fid", action="store_true")
    p.add_argument("--skip-images", action="store_true")
    a = p.parse_args()

    imgs = load_images(a.images)
    source = "fixture" if imgs is not None else "synthetic"
    if imgs is None:
        imgs = synthetic_images(20)
    x, y = imgs
    k = x.shape[0]
    if not a.skip_images:  # skimage only for the image metrics: --skip-images runs FID with numpy/scipy alone
        global structural_similarity
        from skimage.metrics import structural_similarity
    print("reference_versions: numpy %s, scipy %s, skimage %s" % (
        np.__version__, scipy.__version__, "-" if a.skip_images else __import__("skimage").__version__))
    print("image_source: %s (%d channels of 256x256)" % (source, k))

    def ssim_all():
        for i in range(k):
            structural_similarity(x[i], y[i], gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                  data_range=255)

    def mae_all():
        for i in range(k):
            np.mean(np.abs(x[i].astype(np.float64) - y[i].astype(np.float64)))

    def emd_all():
        for i in range(k):
            np.mean(np.abs(np.sort(x[i].ravel()).astype(np.float64) - np.sort(y[i].ravel()).astype(np.float64)))

    for name, fn in () if a.skip_images else (("ssim_skimage", ssim_all), ("mae_numpy", mae_all), ("emd_numpy", emd_all)):
        wall, cpu = best_time(fn, a.repeat)
        print("%s_ms_per_channel: %.4f" % (name, wall / k * 1e3))
        print("%s_cpu_ms_per_channel: %.4f" % (name, cpu / k * 1e3))
    sys.stdout.flush()

    if not a.skip_fid:
        for n in [int(v) for v in a.fid_n.split(",") if v]:
            f1 = synthetic_features(n, a.dim, 1)
            f2 = synthetic_features(n, a.dim, 2)
            t, c = time.perf_counter(), time.process_time()
            mu1, s1 = np.mean(f1.astype(np.float64), axis=0), np.cov(f1.astype(np.float64), rowvar=False)
            mu2, s2 = np.mean(f2.astype(np.float64), axis=0), np.cov(f2.astype(np.float64), rowvar=False)
            t_stats, c_stats = time.perf_counter() - t, time.process_time() - c
            del f1, f2
            t, c = time.perf_counter(), time.process_time()
            fid = calculate_frechet_distance(mu1, s1, mu2, s2)
            t_sqrtm, c_sqrtm = time.perf_counter() - t, time.process_time() - c
            print("fid_n%d_stats_s: %.4f" % (n, t_stats))
            print("fid_n%d_stats_cpu_s: %.4f" % (n, c_stats))
            print("fid_n%d_sqrtm_s: %.4f" % (n, t_sqrtm))
            print("fid_n%d_sqrtm_cpu_s: %.4f" % (n, c_sqrtm))
            print("fid_n%d_value: %.6f" % (n, fid))
            sys.stdout.flush()
    print("peak_rss_mb: %.1f" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0))


if __name__ == "__main__":
    main()
