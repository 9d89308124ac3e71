// util area: see docs/ARCHITECTURE.md
namespace cprecon { namespace util_area { int anchor = 0; } }
