// image area: see docs/ARCHITECTURE.md
namespace cprecon { namespace image_area { int anchor = 0; } }
