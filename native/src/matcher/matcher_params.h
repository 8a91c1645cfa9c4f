// Tuned constants of the minutiae matcher, in one place. Distances are 500 ppi pixels.
#pragma once
#include <cmath>

namespace fm {

constexpr double kPi = 3.14159265358979323846;
constexpr double kTwoPi = 2 * kPi;

// --- Minutia Cylinder-Code (bit cylinders), after Cappelli, Ferrara & Maltoni (2010) ---
// 8x8 spatial cells: one 64-bit word per direction layer, and one validity word for all layers.
constexpr int kNs = 8;             // spatial cells per side
constexpr int kNd = 6;             // direction layers
constexpr double kRadius = 70.0;   // cylinder radius (about 7 ridge periods)
constexpr double kSigmaS = 28.0 / 3.0;   // spatial spread of a neighbour's contribution
constexpr double kSigmaD = 2 * kPi / 9;  // directional spread
constexpr double kMuPsi = 0.01;          // a cell is set when its contribution reaches this
constexpr double kHullMargin = 50.0;     // cells this far outside the minutiae's convex hull still count as valid
constexpr double kMinValidCells = 0.75;  // fraction of the disk's cells that must be valid
constexpr int kMinNeighbours = 2;        // neighbours needed for a cylinder to be kept
constexpr double kMinMatchable = 0.60;   // fraction of disk cells valid in both cylinders to compare them
constexpr double kMaxRotation = kPi / 2; // largest rotation accepted between two paired minutiae

// --- Consolidation: local similarity sort with relaxation (LSS-R) ---
constexpr int kMaxRelaxPairs = 40;  // pairs entering relaxation (at most min(nA, nB))
constexpr int kRelaxIterations = 5;
constexpr double kRelaxWeight = 0.5;
// Compatibility of two pairs: sigmoids on the differences of distance, relative direction and radial angle.
constexpr double kRhoDistMu = 6.0, kRhoDistRel = 0.12, kRhoDistTau = -8.0 / 5.0;
constexpr double kRhoDirMu = kPi / 12, kRhoDirTau = -30.0;
constexpr double kRhoRadMu = kPi / 12, kRhoRadTau = -30.0;
// Number of pairs averaged into the score grows with the smaller template.
constexpr int kMinNp = 4, kMaxNp = 12;
constexpr double kNpMu = 20.0, kNpTau = 0.4;

// --- Global consolidation: one rigid transform voted by the LSS-R pairs, one-to-one minutiae pairing under it, then
// under a displacement field fitted to those pairs ---
constexpr double kAnchorDistTol = 20.0;   // a local pair agrees with an anchor's transform within this distance, px
constexpr double kAnchorAngleTol = 0.40;  // ... and this direction difference, rad
constexpr double kPairDistTol = 10.0;     // minutiae pair up within this distance, px ...
constexpr double kPairDistRel = 0.04;     // ... plus this share of their distance to the inliers' centre (stretch, resize)
constexpr double kPairAngleTol = 0.50;    // ... and this direction difference, rad
constexpr int kElasticMinPairs = 4;       // rigid pairs needed before a displacement field is fitted
constexpr int kElasticIterations = 3;     // field fitted, minutiae moved, paired again: this many times
constexpr double kElasticSigma = 35.0;    // reach of one pair's residual in the field (Gaussian sigma), px
constexpr double kElasticPrior = 0.5;     // weight of "no displacement" in the field's weighted mean
constexpr double kElasticDistTol = 10.0;  // pairing tolerance once the field moved the minutiae, px ...
constexpr double kElasticDistRel = 0.03;  // ... plus this share of the distance to the inliers' centre
constexpr double kOverlapMargin = 25.0;   // a minutia counts in the common area within this distance of the other hull, px
constexpr double kOverlapFloor = 10.0;    // fewest minutiae counted in the common area
constexpr double kGlobalWeight = 0.5;     // score = LSS-R^(1-w) * share^w

// --- First stage of 1:N search: MinHash sketches of the cylinders (sketch.h) ---
constexpr int kSketchBands = 32;     // keys per cylinder (16 lost more single mates: at 1 % rerank on 1k distinct fingers, rank-1 FNIR 20.0 % against 14.3 %)
constexpr int kSketchRows = 4;      // MinHash picks combined into one key
constexpr int kSketchMax = 48;      // cylinders sketched per finger (the most complete ones)
constexpr int kSketchMinBits = 4;   // emptier cylinders collide by chance too often to be sketched

// --- Template limits ---
constexpr int kMaxMinutiae = 255;
constexpr double kMaxCoordinate = 4000.0;  // pixels at 500 ppi (20 cm)

}  // namespace fm
