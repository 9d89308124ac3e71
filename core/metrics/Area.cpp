// metrics area: see docs/ARCHITECTURE.md
namespace cprecon { namespace metrics_area { int anchor = 0; } }
