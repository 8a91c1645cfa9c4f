// Face image quality in the spirit of ISO/IEC 29794-5: measures a kiosk can act on (size,
// sharpness, exposure, pose, other faces), a 0-100 unified score, and machine-readable reason
// codes against configurable thresholds (strict for enrolment, lenient for checks).
//
// Landmarks follow align.ts: image-left eye, image-right eye, nose tip, image-left mouth corner,
// image-right mouth corner, in image pixels.

import { cropAndResize } from './align.js';
import {
  DEFAULT_QUALITY_THRESHOLDS,
  QUALITY_MEASURE as M,
  type QualityThresholds,
} from './frontend-config.js';
import { distance, toGrey, type Box, type GreyImage, type Point, type RgbImage } from './image.js';

export type QualityReason =
  | 'FACE_TOO_SMALL'
  | 'EYES_TOO_CLOSE'
  | 'TOO_BLURRY'
  | 'UNDEREXPOSED'
  | 'OVEREXPOSED'
  | 'LOW_CONTRAST'
  | 'POSE_YAW'
  | 'POSE_PITCH'
  | 'POSE_ROLL'
  | 'MULTIPLE_FACES'
  | 'LOW_DETECTOR_CONFIDENCE'
  | 'NO_FACE';

export interface DetectedFace {
  box: Box;
  landmarks5: Point[];
  /** Detector confidence 0..1. */
  score: number;
}

export interface Exposure {
  /** Mean luminance 0..255 in the inner face box. */
  mean: number;
  /** Fraction of inner-face pixels at or below / at or above the clipping levels. */
  clippedLow: number;
  clippedHigh: number;
  /** (p95 - p5) / 255 of the inner-face luminance. */
  contrast: number;
}

export interface FaceQuality {
  faceWidthPx: number;
  interEyePx: number;
  /** Laplacian energy relative to the face's own contrast, at a canonical face width: about
   *  0.3 for a sharp real face, 0.12 after a Gaussian blur of 2% of the face width, 0.08 at 3%
   *  (independent of the face's size and brightness; JPEG blocking raises it). */
  sharpness: number;
  exposure: Exposure;
  /** Degrees. yaw > 0: nose towards image-right; pitch > 0: face looks up; roll > 0: the eye
   *  line turns clockwise on screen (image-right eye lower). */
  yawDeg: number;
  pitchDeg: number;
  rollDeg: number;
  /** Faces in view that count: this one plus every other face that is not a small/unsure
   *  background detection (see QUALITY_MEASURE.otherFace*). */
  faceCount: number;
  /** The detector's confidence in the assessed face, 0..1. */
  detectorScore: number;
  score0to100: number;
  /** Codes failing the thresholds this assessment was made with (default: the check profile). */
  reasons: QualityReason[];
}

export const NO_FACE_QUALITY: Readonly<FaceQuality> = Object.freeze({
  faceWidthPx: 0,
  interEyePx: 0,
  sharpness: 0,
  exposure: Object.freeze({ mean: 0, clippedLow: 0, clippedHigh: 0, contrast: 0 }),
  yawDeg: 0,
  pitchDeg: 0,
  rollDeg: 0,
  faceCount: 0,
  detectorScore: 0,
  score0to100: 0,
  reasons: ['NO_FACE'] as QualityReason[],
});

/**
 * Measures one detected face. `face` null (or absent) means the detector found none; `allFaces`
 * is every face the detector reported (the assessed one included) for MULTIPLE_FACES.
 */
export function assessFaceQuality(
  image: RgbImage,
  face: DetectedFace | null | undefined,
  allFaces: readonly DetectedFace[] = face ? [face] : [],
  thresholds: QualityThresholds = DEFAULT_QUALITY_THRESHOLDS.check,
): FaceQuality {
  if (!face) return { ...NO_FACE_QUALITY, exposure: { ...NO_FACE_QUALITY.exposure }, faceCount: allFaces.length, reasons: ['NO_FACE'] };
  const [eyeL, eyeR] = face.landmarks5;
  const interEyePx = distance(eyeL, eyeR);
  const inner = innerBox(face.box, M.innerBoxFraction);
  const grey = faceGrey(image, inner);
  const pose = estimatePose(face.landmarks5);
  const q: FaceQuality = {
    faceWidthPx: face.box.width,
    interEyePx,
    sharpness: measureSharpness(grey),
    exposure: measureExposure(grey),
    yawDeg: pose.yawDeg,
    pitchDeg: pose.pitchDeg,
    rollDeg: pose.rollDeg,
    faceCount: 1 + countOtherFaces(face, allFaces),
    detectorScore: face.score,
    score0to100: 0,
    reasons: [],
  };
  q.score0to100 = unifiedScore(q);
  q.reasons = checkQuality(q, thresholds).reasons.map((r) => r.code);
  return q;
}

function innerBox(b: Box, f: number): Box {
  return { x: b.x + (b.width * (1 - f)) / 2, y: b.y + (b.height * (1 - f)) / 2, width: b.width * f, height: b.height * f };
}

/** The inner face region as luminance at the canonical width (height kept in proportion). */
function faceGrey(image: RgbImage, box: Box): GreyImage {
  const w = M.sharpnessCanonicalWidth;
  const h = Math.max(8, Math.round((w * box.height) / Math.max(box.width, 1e-6)));
  const crop = cropAndResize(image, box, [w, h], 0, { keepAspect: false });
  return toGrey(crop);
}

/** sqrt(var(Laplacian)) / (std(luminance) + 1): scale-free (canonical size) and gain-free. */
export function measureSharpness(g: GreyImage): number {
  const { width: w, height: h, data: d } = g;
  let s = 0, s2 = 0, n = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const lap = d[i - 1] + d[i + 1] + d[i - w] + d[i + w] - 4 * d[i];
      s += lap;
      s2 += lap * lap;
      n++;
    }
  }
  if (n === 0) return 0;
  const lapVar = Math.max(0, s2 / n - (s / n) ** 2);
  let m = 0, m2 = 0;
  for (let i = 0; i < d.length; i++) {
    m += d[i];
    m2 += d[i] * d[i];
  }
  const std = Math.sqrt(Math.max(0, m2 / d.length - (m / d.length) ** 2));
  return Math.sqrt(lapVar) / (std + 1);
}

export function measureExposure(g: GreyImage): Exposure {
  const hist = new Uint32Array(256);
  let sum = 0;
  for (let i = 0; i < g.data.length; i++) {
    const v = g.data[i];
    sum += v;
    hist[Math.min(255, Math.max(0, Math.round(v)))]++;
  }
  const n = g.data.length || 1;
  let low = 0, high = 0;
  for (let v = 0; v <= M.clipLowLevel; v++) low += hist[v];
  for (let v = M.clipHighLevel; v <= 255; v++) high += hist[v];
  const pct = (p: number) => {
    const target = p * n;
    let acc = 0;
    for (let v = 0; v < 256; v++) {
      acc += hist[v];
      if (acc >= target) return v;
    }
    return 255;
  };
  return {
    mean: sum / n,
    clippedLow: low / n,
    clippedHigh: high / n,
    contrast: (pct(M.contrastHighPercentile) - pct(M.contrastLowPercentile)) / 255,
  };
}

/**
 * Head pose from five landmarks, under weak perspective and a mean face:
 * - roll is the angle of the eye line;
 * - in the roll-corrected frame, let H be the eye-line to mouth-line distance. Yaw turns the
 *   nose tip (which sits noseDepth·H in front of the eye/mouth plane) sideways by
 *   noseDepth·H·sin(yaw) from the face's mid-line, while H does not change: yaw = asin(dx / (k H)).
 * - pitch moves the nose tip vertically between the eye line (t = 0) and mouth line (t = 1):
 *   t = t0 - k tan(pitch), so pitch = atan((t0 - t) / k).
 * Approximate (a mean face, no perspective; expressions move the mouth): good to a few degrees
 * up to about 30°, which is what gating a capture needs.
 */
export function estimatePose(lm: readonly Point[]): { yawDeg: number; pitchDeg: number; rollDeg: number } {
  const [eL, eR, nose, mL, mR] = lm;
  const roll = Math.atan2(eR.y - eL.y, eR.x - eL.x);
  const rollDeg = (roll * 180) / Math.PI;
  if (lm.length < 5) return { yawDeg: 0, pitchDeg: 0, rollDeg };
  const c = Math.cos(-roll);
  const s = Math.sin(-roll);
  const eyeMid = { x: (eL.x + eR.x) / 2, y: (eL.y + eR.y) / 2 };
  const rot = (p: Point): Point => {
    const dx = p.x - eyeMid.x;
    const dy = p.y - eyeMid.y;
    return { x: c * dx - s * dy, y: s * dx + c * dy };
  };
  const n = rot(nose);
  const ml = rot(mL);
  const mr = rot(mR);
  const mouthMid = { x: (ml.x + mr.x) / 2, y: (ml.y + mr.y) / 2 };
  const H = mouthMid.y; // eye mid is the origin
  if (!(H > 1e-6)) return { yawDeg: 0, pitchDeg: 0, rollDeg };
  const k = M.noseDepthOverEyeMouth;
  const t = n.y / H;
  const midX = mouthMid.x * t; // face mid-line at the nose's height
  const sinYaw = Math.max(-1, Math.min(1, (n.x - midX) / (k * H)));
  const yawDeg = (Math.asin(sinYaw) * 180) / Math.PI;
  const pitchDeg = (Math.atan((M.noseFrontalT - t) / k) * 180) / Math.PI;
  return { yawDeg, pitchDeg, rollDeg };
}

function countOtherFaces(face: DetectedFace, all: readonly DetectedFace[]): number {
  let others = 0;
  for (const f of all) {
    if (f === face || sameBox(f.box, face.box)) continue;
    if (f.score >= M.otherFaceMinScore && f.box.width >= M.otherFaceMinRelativeWidth * face.box.width) others++;
  }
  return others;
}

const sameBox = (a: Box, b: Box) => a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;

const ramp = (v: number, bad: number, good: number) => {
  const t = (v - bad) / (good - bad);
  return t < 0 ? 0 : t > 1 ? 1 : t;
};

/** Weighted geometric mean of per-measure utilities (each 0..1), as 0..100. */
function unifiedScore(q: FaceQuality): number {
  const r = M.scoreRamps;
  const pose = Math.max(Math.abs(q.yawDeg), Math.abs(q.pitchDeg), Math.abs(q.rollDeg) / 2);
  const parts = [
    ramp(q.interEyePx, r.interEyePx.bad, r.interEyePx.good),
    ramp(q.sharpness, r.sharpness.bad, r.sharpness.good),
    ramp(q.exposure.contrast, r.contrast.bad, r.contrast.good),
    ramp(Math.abs(q.exposure.mean - 128), r.exposureOffset.bad, r.exposureOffset.good),
    ramp(Math.max(q.exposure.clippedLow, q.exposure.clippedHigh), r.clipped.bad, r.clipped.good),
    ramp(pose, r.poseDeg.bad, r.poseDeg.good),
  ];
  // A small floor keeps one failed measure from erasing the others' information.
  const logMean = parts.reduce((acc, p) => acc + Math.log(0.02 + 0.98 * p), 0) / parts.length;
  return Math.round(100 * Math.exp(logMean));
}

export interface QualityVerdict {
  ok: boolean;
  reasons: { code: QualityReason; message: string }[];
}

/** Checks measures against thresholds (e.g. loadQualityThresholds().enrol). */
export function checkQuality(q: FaceQuality, t: QualityThresholds): QualityVerdict {
  const reasons: QualityVerdict['reasons'] = [];
  const add = (code: QualityReason, message: string) => reasons.push({ code, message });
  if (q.reasons.includes('NO_FACE') || q.faceWidthPx <= 0) {
    add('NO_FACE', 'no face was found in the image');
    return { ok: false, reasons };
  }
  const f1 = (v: number) => v.toFixed(1);
  if (q.faceWidthPx < t.minFaceWidthPx) add('FACE_TOO_SMALL', `face is ${f1(q.faceWidthPx)} px wide; at least ${t.minFaceWidthPx} px needed: move closer`);
  if (q.interEyePx < t.minInterEyePx) add('EYES_TOO_CLOSE', `eyes are ${f1(q.interEyePx)} px apart; at least ${t.minInterEyePx} px needed`);
  if (q.sharpness < t.minSharpness) add('TOO_BLURRY', `sharpness ${q.sharpness.toFixed(3)} is below ${t.minSharpness}: hold still, check focus`);
  const e = q.exposure;
  if (e.mean < t.minExposureMean || e.clippedLow > t.maxClippedLow) {
    add('UNDEREXPOSED', `face too dark (mean ${f1(e.mean)}, ${(100 * e.clippedLow).toFixed(0)}% black)`);
  }
  if (e.mean > t.maxExposureMean || e.clippedHigh > t.maxClippedHigh) {
    add('OVEREXPOSED', `face too bright (mean ${f1(e.mean)}, ${(100 * e.clippedHigh).toFixed(0)}% white)`);
  }
  if (e.contrast < t.minContrast) add('LOW_CONTRAST', `face contrast ${e.contrast.toFixed(2)} is below ${t.minContrast}`);
  if (Math.abs(q.yawDeg) > t.maxYawDeg) add('POSE_YAW', `head turned ${f1(q.yawDeg)}°; at most ±${t.maxYawDeg}°: face the camera`);
  if (Math.abs(q.pitchDeg) > t.maxPitchDeg) add('POSE_PITCH', `head tilted ${f1(q.pitchDeg)}° up/down; at most ±${t.maxPitchDeg}°`);
  if (Math.abs(q.rollDeg) > t.maxRollDeg) add('POSE_ROLL', `head leaning ${f1(q.rollDeg)}°; at most ±${t.maxRollDeg}°: keep head upright`);
  if (q.faceCount > t.maxFaces) add('MULTIPLE_FACES', `${q.faceCount} faces in view; only one person may be in front of the camera`);
  if (q.detectorScore < t.minDetectorScore) add('LOW_DETECTOR_CONFIDENCE', `the detector is only ${(100 * q.detectorScore).toFixed(0)} % sure this is a face (${(100 * t.minDetectorScore).toFixed(0)} % needed)`);
  return { ok: reasons.length === 0, reasons };
}
