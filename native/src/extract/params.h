// Tuned constants of the minutiae extractor, in one place. Distances are in pixels of a 500 ppi image
// (the caller resamples to 500 ppi first).
#pragma once

namespace fx {

/** Block grid of the orientation, frequency and segmentation fields. */
constexpr int kBlock = 8;
/** Window (pixels, odd) of the local mean/contrast normalisation and of the segmentation contrast. */
constexpr int kContrastWindow = 17;
/** A block is fingerprint when its contrast exceeds this fraction of the image's 90th-percentile contrast. */
constexpr float kForegroundContrast = 0.28f;
/** ... and its orientation coherence is at least this. */
constexpr float kForegroundCoherence = 0.12f;
/** Window (pixels, odd) over which gradient products are summed for the orientation. */
constexpr int kOrientationWindow = 17;
/** Gaussian smoothing of the doubled-angle field, in blocks. */
constexpr float kOrientationSmoothSigma = 1.2f;
/** Window along the ridge-normal (length) and along the ridge (width) of the x-signature, pixels. */
constexpr int kSignatureLength = 32;
constexpr int kSignatureWidth = 14;
/** Ridge periods accepted from the x-signature; others are interpolated from neighbours. */
constexpr float kMinPeriod = 4.5f, kMaxPeriod = 15.0f, kDefaultPeriod = 9.0f;
/** Gabor filter: Gaussian envelope (pixels) across and along the ridges, radius, and quantisation. */
constexpr float kGaborSigmaAcross = 3.6f, kGaborSigmaAlong = 4.2f;
constexpr int kGaborRadius = 7;
constexpr int kGaborAngles = 16;
constexpr int kGaborPeriods = 12;
/** Steps traced along the skeleton to find a minutia's direction and to detect short ridges. */
constexpr int kTraceSteps = 12;
/** Minutiae closer than this to each other are taken as artefacts (breaks, bridges, spurs). */
constexpr float kPairDistance = 7.0f;
/** Minutiae closer than this to the segmentation border are dropped (blocks). */
constexpr int kBorderBlocks = 2;
/** At most this many minutiae are kept, the highest quality first (templates hold up to 255). */
constexpr int kMaxMinutiae = 120;

}  // namespace fx
