// Placeholder until core/models/InceptionV3 and OpenPhenom land; replaced (deleted) by their implementation.
#include "models/ModelRun.h"
#include "util/Error.h"
namespace cprecon {
void runInceptionModel(const ModelRunRequest &, bool) { throw Error("the Inception runner is not built yet"); }
void runOpenPhenomModel(const ModelRunRequest &) { throw Error("the OpenPhenom runner is not built yet"); }
}
