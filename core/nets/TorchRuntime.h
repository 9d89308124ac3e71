#pragma once
// LibTorch process settings shared by every network (torch-free header: callers never see LibTorch).
// Debian's LibTorch starts with ONE intra-op thread: its count follows the process's compute budget
// (jobs/ComputeBudget.h) from the first network on, or from main's torchrt::followComputeBudget(). CUDA code paths exist only when LibTorch was built with CUDA (CPRECON_WITH_CUDA) and are
// chosen at run time (device auto|cpu|cuda).
#include <cstdint>
#include <string>

namespace cprecon {

enum class ComputeDevice { Auto, Cpu, Cuda };
enum class Precision { Fp32, Fp16, Bf16 };

struct RuntimeOptions {
    ComputeDevice device = ComputeDevice::Auto; // Auto = CUDA when available, else CPU
    Precision precision = Precision::Fp32; // Fp16/Bf16 = autocast (Fp16 only on CUDA; Bf16 on CUDA and CPU)
    bool channelsLast = false;             // NHWC memory format for conv nets (helps on CUDA/oneDNN)
};

ComputeDevice parseComputeDevice(const std::string &s);   // "auto" | "cpu" | "cuda"; throws cprecon::Error
Precision parsePrecision(const std::string &s);          // "fp32" | "fp16" | "bf16"; throws cprecon::Error
const char *precisionName(Precision p);

namespace torchrt {
// Makes LibTorch's intra-op thread count follow the compute budget, now and whenever it is reconfigured
// (idempotent; every network calls it when it is built). Workers never set thread counts themselves.
void followComputeBudget();
// Applies the budget's thread count to the calling thread's OpenMP team size (OpenMP keeps it per thread: a
// worker thread would otherwise use all cores). Every network calls it before a forward pass; a no-op once the
// thread has the budget in force.
void useBudgetOnThisThread();
int threads(); // LibTorch's intra-op threads in force
bool cudaCompiled();  // LibTorch built with CUDA and the project compiled with CPRECON_WITH_CUDA
bool cudaAvailable(); // compiled and a device is present at run time
// "cpu" or "cuda"; throws cprecon::Error when cuda is requested but not available.
std::string resolveDevice(ComputeDevice d);
// Seeds LibTorch's default CPU (and CUDA) generators.
void seed(uint64_t s);
// Grad mode off for the whole process (inference only app); idempotent.
void disableGradGlobally();
// e.g. "LibTorch 1.13.1, 2 threads, CPU (no CUDA)"
std::string describe();
} // namespace torchrt

} // namespace cprecon
