#pragma once
// Key names of the SD-VAE family. Checkpoints in the wild use three spellings of the same tensors:
//   diffusers    encoder.down_blocks.0.resnets.0.norm1.weight, ...mid_block.attentions.0.to_q.weight
//   legacy diffusers (<0.14, e.g. the sd-v1-4 hub VAE): ...mid_block.attentions.0.query/key/value/proj_attn
//   LDM / CompVis (sd-v1-4.ckpt with prefix first_stage_model., vae-ft-mse-840000-ema-pruned without):
//                encoder.down.0.block.0.norm1.weight, encoder.mid.attn_1.q.weight (1x1 conv), norm_out, ...
// toDiffusersVaeKeys() renames all of them to diffusers names (and squeezes 1x1-conv attention weights to
// Linear shape), so the network loads them 1:1.
#include "weights/StateDict.h"

#include <string>

namespace cprecon {

// True for the VAE's tensors in any spelling, with or without a "first_stage_model." / "vae." prefix
// (used as the KeyFilter when reading a full SD checkpoint, so UNet and text encoder are never converted).
bool isVaeCheckpointKey(const std::string &key);

// One key in any spelling -> diffusers name. `levels` = len(block_out_channels) (LDM numbers decoder up
// blocks in reverse). Returns the key unchanged when it is not a known VAE spelling.
std::string diffusersVaeKey(const std::string &key, int levels);

// Renames every tensor; throws cprecon::Error when two tensors map to the same name. `layout` (optional)
// receives "diffusers", "legacy diffusers" or "LDM" (+ " (prefix first_stage_model.)").
StateDict toDiffusersVaeKeys(const StateDict &sd, int levels, std::string *layout = nullptr);

} // namespace cprecon
