// jobs area: see docs/ARCHITECTURE.md
namespace cprecon { namespace jobs_area { int anchor = 0; } }
