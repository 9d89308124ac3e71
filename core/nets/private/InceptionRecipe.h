#pragma once
// Input preprocessing of the two InceptionV3 recipes (internal; include only from core/models/*.cpp).
#include <torch/torch.h>

namespace cprecon::featnet {

// u8AsFloat: N×3×H×W float32 with 0..255 values. Returns the N×3×299×299 network input of recipe A
// (torchvision: /255, bilinear 299, ImageNet mean/std) or recipe B (pytorch-fid: /255, bilinear 299, 2x−1).
torch::Tensor inceptionPreprocess(const torch::Tensor &u8AsFloat, bool fidRecipe);

} // namespace cprecon::featnet
