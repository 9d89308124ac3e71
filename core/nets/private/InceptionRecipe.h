#pragma once
// Input preprocessing of the two InceptionV3 recipes (internal; include only from core/models/*.cpp).
#include "nets/private/InceptionV3.h"

#include <torch/torch.h>

namespace cprecon::featnet {

// x01: N×3×H×W float32 in [0, 1] (u8 / 255). Returns the N×3×299×299 network input of recipe A
// (torchvision: bilinear 299, ImageNet mean/std) or recipe B (pytorch-fid: bilinear 299, 2x−1).
torch::Tensor inceptionPreprocess(const torch::Tensor &x01, bool fidRecipe);
// Its two steps: the bilinear resize to 299×299, and the per-channel normalisation as an affine map
// (x − mean)/std = x·(1/std) − mean/std, resp. 2x − 1 — which the extractor folds into the first convolution.
torch::Tensor inceptionResize(const torch::Tensor &x01);
inception::InputAffine inceptionNormalisation(bool fidRecipe);

} // namespace cprecon::featnet
