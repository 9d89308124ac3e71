// profiles area: see docs/ARCHITECTURE.md
namespace cprecon { namespace profiles_area { int anchor = 0; } }
