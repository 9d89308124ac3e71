#pragma once
// The process's one oneDNN CPU engine, shared by the networks' oneDNN kernels (internal; CPRECON_WITH_DNNL only).
#include <oneapi/dnnl/dnnl.hpp>

namespace cprecon::dnnl_rt {

inline dnnl::engine &cpuEngine()
{
    static dnnl::engine e(dnnl::engine::kind::cpu, 0);
    return e;
}

} // namespace cprecon::dnnl_rt
