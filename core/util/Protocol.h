#pragma once
// The one paper / corrected choice (docs/PROTOCOL.md) that every area shares: how latents are drawn, which
// precision the networks run in, and how SSIM is reported and labelled.
//   paper:     the authors' pipeline — sampled latent (seeded), fp16 autocast on GPU, OpenPhenom's double /255,
//              and SSIM reported as MONAI's SSIMLoss = 1 − SSIM, which the paper plotted under the label "SSIM";
//   corrected: posterior mean (deterministic), fp32 (or bf16 when asked), inputs as the model cards intend, SSIM.
#include <string>
#include <string_view>

namespace cprecon {

enum class Protocol { Paper, Corrected };

const char *protocolName(Protocol p);         // "paper" | "corrected"
// "paper" or "corrected" (case and surrounding blanks ignored); anything else — the empty string too — is a
// cprecon::Error naming the text and the two valid names.
Protocol parseProtocol(std::string_view text);

// What a table or axis calls the SSIM column under p: "1 − SSIM (paper's 'SSIM')" or "SSIM".
std::string ssimLabel(Protocol p);
// The value that label reports: 1 − ssim (paper) or ssim (corrected).
inline double ssimReported(Protocol p, double ssim) { return p == Protocol::Paper ? 1.0 - ssim : ssim; }

} // namespace cprecon
