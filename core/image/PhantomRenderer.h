#pragma once
// PHANTOM screens — synthetic images, not biology. Renders one site of a phantom screen: five 16-bit channel
// images of cell-like objects (Hoechst-like nuclei with chromatin texture in DNA, perinuclear reticular ER, RNA
// nucleoli + weak cytoplasm, AGP cell outlines + actin-like fibres, Mito puncta), with the well's compound effect,
// small per-plate and per-well intensity variation, the plate's vignetting illumination applied multiplicatively,
// and shot + read noise. Cells are ~20x Phenix-sized (nuclei ~30 px across) whatever the image size.
// Everything derives from (seed, plate, well, site): same inputs -> same pixels.
#include "image/PhantomDesign.h"

#include <opencv2/core.hpp>

#include <array>

namespace cprecon::phantom {

// The phantom's channels in instrument order (CPJUMP1 source_4): ch1 Mito, ch2 AGP, ch3 RNA, ch4 ER, ch5 DNA.
const QStringList &channelStains();

// The plate's illumination function of channel index ch (0 = ch1): smooth vignetting, 1.0 near the (slightly
// off-centre) optical axis falling to ~0.65-0.8 in the corners; CV_64F size x size. Raw = truth x function, so
// dividing by it (CellProfiler "Divide") restores the rendered intensities.
cv::Mat illuminationFunction(const Design &d, int plate, int ch);

// Five CV_16UC1 images, index = channel - 1 (Mito, AGP, RNA, ER, DNA). illum[ch] = illuminationFunction(...)
// converted to CV_32F (once per plate).
std::array<cv::Mat, 5> renderSite(const Design &d, int plate, int well, int site, const std::array<cv::Mat, 5> &illum);

} // namespace cprecon::phantom
