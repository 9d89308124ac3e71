// Placeholder until core/models/AutoencoderKl lands; replaced (deleted) by the VAE implementation.
#include "models/ModelRun.h"
#include "util/Error.h"
namespace cprecon {
void runVaeModel(const ModelRunRequest &) { throw Error("the VAE runner is not built yet"); }
}
