// The built-in model registry (format: docs/user/models.md). Facts only from the official sources:
// - checksums: only what is published. Torch-hub style file names end in the first 8 hex digits of the file's
//   sha256 (torchvision verifies exactly that prefix), so those files get a sha256_prefix rule. No full sha256 of the
//   Hugging Face files is known offline, so none is given (never invent one); files found in the HF cache are
//   still checked against their blob name, which is the sha256 of LFS files.
// - approx_bytes: display estimates (fp32 parameter count × 4), 0 where not known.
#include "catalog/ModelRegistry.h"

namespace cprecon::models {

extern const char *const kBuiltinModelsJson;
const char *const kBuiltinModelsJson = R"JSON({
  "version": 1,
  "models": [
    {
      "name": "sd-vae-v1-4",
      "display": "Stable Diffusion v1.4 VAE",
      "kind": "vae",
      "hf_repo": "CompVis/stable-diffusion-v1-4",
      "subfolder": "vae",
      "files": [
        {"path": "vae/config.json", "approx_bytes": 600},
        {"path": "vae/diffusion_pytorch_model.safetensors", "alternatives": ["vae/diffusion_pytorch_model.bin"],
         "weights": true, "approx_bytes": 334700000}
      ],
      "licence": "CreativeML OpenRAIL-M",
      "licence_url": "https://huggingface.co/spaces/CompVis/stable-diffusion-license",
      "non_commercial": false,
      "gated": false,
      "page": "https://huggingface.co/CompVis/stable-diffusion-v1-4",
      "role": "paper protocol: the autoencoder under test (SD-VAE, latent scale 0.18215)",
      "notes": "OpenRAIL-M carries use-based restrictions (read the licence). If the hub asks you to log in, download in a browser or with huggingface-cli and use Locate."
    },
    {
      "name": "sd-vae-ft-mse",
      "display": "SD VAE fine-tuned (MSE), diffusers",
      "kind": "vae",
      "hf_repo": "stabilityai/sd-vae-ft-mse",
      "files": [
        {"path": "config.json", "approx_bytes": 600},
        {"path": "diffusion_pytorch_model.safetensors", "alternatives": ["diffusion_pytorch_model.bin"],
         "weights": true, "approx_bytes": 334700000}
      ],
      "licence": "MIT",
      "licence_url": "https://huggingface.co/stabilityai/sd-vae-ft-mse",
      "non_commercial": false,
      "gated": false,
      "page": "https://huggingface.co/stabilityai/sd-vae-ft-mse",
      "role": "comparison: same architecture, decoder fine-tuned for smoother reconstructions"
    },
    {
      "name": "sd-vae-ft-mse-original",
      "display": "SD VAE fine-tuned (MSE), single file (LDM keys)",
      "kind": "vae",
      "hf_repo": "stabilityai/sd-vae-ft-mse-original",
      "files": [
        {"path": "vae-ft-mse-840000-ema-pruned.safetensors", "alternatives": ["vae-ft-mse-840000-ema-pruned.ckpt"],
         "weights": true, "approx_bytes": 334700000}
      ],
      "licence": "MIT",
      "licence_url": "https://huggingface.co/stabilityai/sd-vae-ft-mse-original",
      "non_commercial": false,
      "gated": false,
      "page": "https://huggingface.co/stabilityai/sd-vae-ft-mse-original",
      "role": "comparison: the file most Stable Diffusion UIs ship; loaded with the SD 1.x VAE config",
      "notes": "Single checkpoint with LDM key names (encoder.down.0...), mapped to the diffusers module tree on load."
    },
    {
      "name": "sdxl-vae",
      "display": "SDXL VAE",
      "kind": "vae",
      "hf_repo": "stabilityai/sdxl-vae",
      "files": [
        {"path": "config.json", "approx_bytes": 700},
        {"path": "diffusion_pytorch_model.safetensors", "alternatives": ["diffusion_pytorch_model.bin"],
         "weights": true, "approx_bytes": 334700000}
      ],
      "licence": "MIT",
      "licence_url": "https://huggingface.co/stabilityai/sdxl-vae",
      "non_commercial": false,
      "gated": false,
      "page": "https://huggingface.co/stabilityai/sdxl-vae",
      "role": "comparison: 4-channel VAE retrained at larger batch size (latent scale 0.13025)"
    },
    {
      "name": "sd3-vae",
      "display": "Stable Diffusion 3 Medium VAE (16 channels)",
      "kind": "vae",
      "hf_repo": "stabilityai/stable-diffusion-3-medium-diffusers",
      "subfolder": "vae",
      "files": [
        {"path": "vae/config.json", "approx_bytes": 800},
        {"path": "vae/diffusion_pytorch_model.safetensors", "weights": true}
      ],
      "licence": "Stability AI Community License (read the model card)",
      "licence_url": "https://huggingface.co/stabilityai/stable-diffusion-3-medium-diffusers",
      "non_commercial": false,
      "gated": true,
      "page": "https://huggingface.co/stabilityai/stable-diffusion-3-medium-diffusers",
      "role": "comparison: 16-channel latent (shift_factor, no quant convs)",
      "notes": "Gated: log in on huggingface.co and accept the licence, then fetch it with huggingface-cli (found in the HF cache) or a browser and use Locate. The licence has revenue-based conditions for commercial use."
    },
    {
      "name": "flux-vae",
      "display": "FLUX.1 [dev] VAE (16 channels)",
      "kind": "vae",
      "hf_repo": "black-forest-labs/FLUX.1-dev",
      "subfolder": "vae",
      "files": [
        {"path": "vae/config.json", "approx_bytes": 800},
        {"path": "vae/diffusion_pytorch_model.safetensors", "weights": true}
      ],
      "licence": "FLUX.1 [dev] Non-Commercial License",
      "licence_url": "https://huggingface.co/black-forest-labs/FLUX.1-dev",
      "non_commercial": true,
      "gated": true,
      "page": "https://huggingface.co/black-forest-labs/FLUX.1-dev",
      "role": "comparison: 16-channel latent (shift_factor, no quant convs)",
      "notes": "Gated: log in on huggingface.co and accept the licence, then fetch it with huggingface-cli (found in the HF cache) or a browser and use Locate."
    },
    {
      "name": "inception-torchvision",
      "display": "InceptionV3, torchvision IMAGENET1K_V1",
      "kind": "inception-torchvision",
      "torch_hub": true,
      "files": [
        {"path": "inception_v3_google-0cc3c7bd.pth",
         "url": "https://download.pytorch.org/models/inception_v3_google-0cc3c7bd.pth",
         "sha256_prefix": "0cc3c7bd", "weights": true, "approx_bytes": 108900000}
      ],
      "licence": "BSD-3-Clause (torchvision)",
      "licence_url": "https://github.com/pytorch/vision/blob/main/LICENSE",
      "non_commercial": false,
      "gated": false,
      "page": "https://pytorch.org/vision/stable/models/generated/torchvision.models.inception_v3.html",
      "role": "paper protocol: FID features and retrieval features (2048-d pool, ImageNet recipe)",
      "notes": "The file torchvision downloads into the torch hub cache; torchvision itself checks the sha256 prefix in the name."
    },
    {
      "name": "inception-fid",
      "display": "InceptionV3, pytorch-fid (TF FID weights)",
      "kind": "inception-fid",
      "torch_hub": true,
      "files": [
        {"path": "pt_inception-2015-12-05-6726825d.pth",
         "url": "https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/pt_inception-2015-12-05-6726825d.pth",
         "sha256_prefix": "6726825d", "weights": true, "approx_bytes": 95600000}
      ],
      "licence": "Apache-2.0 (pytorch-fid; weights converted from TensorFlow's inception-2015-12-05)",
      "licence_url": "https://github.com/mseitzer/pytorch-fid/blob/master/LICENSE",
      "non_commercial": false,
      "gated": false,
      "page": "https://github.com/mseitzer/pytorch-fid",
      "role": "corrected protocol: standard FID network, comparable with literature FID",
      "notes": "The hash prefix follows the torch hub naming convention; pytorch-fid itself does not verify it."
    },
    {
      "name": "openphenom",
      "display": "OpenPhenom (Recursion CA-MAE ViT-S/16)",
      "kind": "openphenom",
      "hf_repo": "recursionpharma/OpenPhenom",
      "files": [
        {"path": "config.json", "approx_bytes": 1000},
        {"path": "model.safetensors", "weights": true}
      ],
      "licence": "Recursion non-commercial licence (see the model card)",
      "licence_url": "https://huggingface.co/recursionpharma/OpenPhenom",
      "non_commercial": true,
      "gated": false,
      "page": "https://huggingface.co/recursionpharma/OpenPhenom",
      "role": "paper protocol: Cell Painting features for phenotypic retrieval (5 x 384 channel-wise embeddings)",
      "notes": "NON-COMMERCIAL: research use only. If the hub asks you to log in, download in a browser or with huggingface-cli and use Locate. model.safetensors is reported to be a torch pickle despite its name; the loader detects the format by content."
    },
    {
      "name": "bicubic8",
      "display": "Bicubic x8 down/up (baseline, no weights)",
      "kind": "baseline",
      "licence": "built in",
      "role": "baseline: keeps 3x32x32 values per 256^2 RGB tile (64x fewer; the SD-VAE latent keeps 4x32x32, 48x), no download"
    },
    {
      "name": "jpeg",
      "display": "JPEG at quality q (baseline, no weights; spec jpeg:<q>)",
      "kind": "baseline",
      "licence": "built in",
      "role": "baseline: naive compression at a chosen quality, no download",
      "specs": ["jpeg:75", "jpeg:90", "jpeg:50"]
    },
    {
      "name": "pca8",
      "display": "PCA of 8x8 patches (baseline, no weights; spec pca:<patch>:<components>)",
      "kind": "baseline",
      "licence": "built in",
      "role": "baseline: keeps exactly the SD-VAE latent's 4x32x32 = 4096 numbers per tile, fitted per tile"
    }
  ]
})JSON";

} // namespace cprecon::models
