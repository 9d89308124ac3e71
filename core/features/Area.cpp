// features area: see docs/ARCHITECTURE.md
namespace cprecon { namespace features_area { int anchor = 0; } }
