import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { assessFaceQuality, checkQuality, estimatePose, type DetectedFace, type FaceQuality } from '../src/face/quality.js';
import { DEFAULT_QUALITY_THRESHOLDS, loadQualityThresholds } from '../src/face/frontend-config.js';
import type { RgbImage } from '../src/face/image.js';
import { PORTRAIT_FACE, portraitPng, rgbOf, syntheticLandmarks } from './lib/images.js';

const { enrol, check } = DEFAULT_QUALITY_THRESHOLDS;
const face: DetectedFace = { box: PORTRAIT_FACE.box, landmarks5: PORTRAIT_FACE.landmarks, score: 0.99 };
const faceWidth = PORTRAIT_FACE.box.width; // 220 px

let png: Buffer;
let original: RgbImage;
const assess = (img: RgbImage, f: DetectedFace = face, all: DetectedFace[] = [f]) => assessFaceQuality(img, f, all);

beforeAll(async () => {
  png = await portraitPng();
  original = await rgbOf(sharp(png));
});

describe('assessFaceQuality on a real portrait and its degraded copies', () => {
  it('passes the sharp, well-lit original in both profiles', () => {
    const q = assess(original);
    expect(q.reasons).toEqual([]);
    expect(checkQuality(q, enrol)).toEqual({ ok: true, reasons: [] });
    expect(q.faceWidthPx).toBe(220);
    expect(q.interEyePx).toBeCloseTo(104.3, 1);
    expect(q.faceCount).toBe(1);
    expect(q.score0to100).toBeGreaterThanOrEqual(80);
    expect(q.rollDeg).toBeCloseTo(12.2, 0); // the subject leans: eye line 102 px across, 22 px down
    // A known bias: her smile lifts the mouth corners, which the 5-point model reads as the face
    // looking down by about 19° (enrolment allows 20°).
    expect(q.pitchDeg).toBeGreaterThan(-25);
    expect(q.pitchDeg).toBeLessThan(-10);
    expect(Math.abs(q.yawDeg)).toBeLessThan(10);
  });

  it('flags blur (Gaussian, 3% of the face width) as TOO_BLURRY and only that', async () => {
    const blurred = assess(await rgbOf(sharp(png).blur(0.03 * faceWidth)));
    expect(blurred.reasons).toEqual(['TOO_BLURRY']);
    expect(blurred.score0to100).toBeLessThan(assess(original).score0to100);
    // a light blur (1%) is acceptable for a check but the measure still drops
    const light = assess(await rgbOf(sharp(png).blur(0.01 * faceWidth)));
    expect(light.reasons).toEqual([]);
    expect(light.sharpness).toBeLessThan(assess(original).sharpness);
  });

  it('keeps sharpness about scale-independent (same face at half size)', async () => {
    const s = 0.5;
    const half = await rgbOf(sharp(png).resize(Math.round(original.width * s)));
    const f: DetectedFace = {
      box: { x: face.box.x * s, y: face.box.y * s, width: face.box.width * s, height: face.box.height * s },
      landmarks5: face.landmarks5.map((p) => ({ x: (p.x + 0.5) * s - 0.5, y: (p.y + 0.5) * s - 0.5 })),
      score: 0.99,
    };
    const a = assess(original).sharpness;
    const b = assess(half, f).sharpness;
    expect(Math.abs(a - b) / a).toBeLessThan(0.15);
  });

  it('flags a dark capture as UNDEREXPOSED (and LOW_CONTRAST), a burnt-out one as OVEREXPOSED', async () => {
    const dark = assess(await rgbOf(sharp(png).linear(0.15, 0)));
    expect(dark.reasons).toContain('UNDEREXPOSED');
    expect(dark.reasons).not.toContain('OVEREXPOSED');
    expect(dark.reasons).not.toContain('TOO_BLURRY'); // sharpness is normalised by contrast
    expect(dark.exposure.mean).toBeLessThan(40);
    // moderately dark: fine for a check, refused for enrolment
    const dim = assess(await rgbOf(sharp(png).linear(0.4, 0)));
    expect(dim.reasons).not.toContain('UNDEREXPOSED');
    expect(checkQuality(dim, enrol).reasons.map((r) => r.code)).toContain('UNDEREXPOSED');
    const bright = assess(await rgbOf(sharp(png).linear(1.8, 40)));
    expect(bright.reasons).toContain('OVEREXPOSED');
    expect(bright.exposure.clippedHigh).toBeGreaterThan(0.5);
    expect(bright.reasons).not.toContain('UNDEREXPOSED');
  });

  it('flags a washed-out (grey fog) capture as LOW_CONTRAST', async () => {
    const fog = assess(await rgbOf(sharp(png).linear(0.25, 120)));
    expect(fog.reasons).toEqual(['LOW_CONTRAST']);
  });

  it('flags a small face (15% scale: 33 px wide) as FACE_TOO_SMALL and EYES_TOO_CLOSE', async () => {
    const s = 0.15;
    const tiny = await rgbOf(sharp(png).resize(Math.round(original.width * s)));
    const f: DetectedFace = {
      box: { x: face.box.x * s, y: face.box.y * s, width: face.box.width * s, height: face.box.height * s },
      landmarks5: face.landmarks5.map((p) => ({ x: p.x * s, y: p.y * s })),
      score: 0.9,
    };
    const q = assess(tiny, f);
    expect(q.reasons).toContain('FACE_TOO_SMALL');
    expect(q.reasons).toContain('EYES_TOO_CLOSE');
    // at half size (110 px wide, 52 px between the eyes) it passes
    const mid = assess(await rgbOf(sharp(png).resize(Math.round(original.width * 0.5))), {
      ...f,
      box: { x: face.box.x / 2, y: face.box.y / 2, width: face.box.width / 2, height: face.box.height / 2 },
      landmarks5: face.landmarks5.map((p) => ({ x: p.x / 2, y: p.y / 2 })),
    });
    expect(mid.reasons).toEqual([]);
  });

  it('a grey and a heavily recompressed JPEG copy are still acceptable', async () => {
    expect(assess(await rgbOf(sharp(png).greyscale())).reasons).toEqual([]);
    const jpeg = await sharp(png).jpeg({ quality: 10 }).toBuffer();
    expect(assess(await rgbOf(sharp(jpeg))).reasons).toEqual([]);
  });
});

describe('faces in view', () => {
  it('reports NO_FACE without a face', () => {
    const q = assessFaceQuality(original, null, []);
    expect(q.reasons).toEqual(['NO_FACE']);
    expect(q.score0to100).toBe(0);
    expect(checkQuality(q, check)).toMatchObject({ ok: false, reasons: [{ code: 'NO_FACE' }] });
  });

  it('reports LOW_DETECTOR_CONFIDENCE for a face only the low-confidence fallback found', () => {
    const unsure = assess(original, { ...face, score: 0.4 });
    expect(unsure.detectorScore).toBe(0.4);
    expect(unsure.reasons).toEqual(['LOW_DETECTOR_CONFIDENCE']);
    expect(checkQuality(unsure, enrol).reasons.map((r) => r.code)).toEqual(['LOW_DETECTOR_CONFIDENCE']);
    expect(assess(original).reasons).not.toContain('LOW_DETECTOR_CONFIDENCE');
  });
  it('reports MULTIPLE_FACES for a second significant face, not for a small or unsure one', () => {
    const other = (w: number, score: number): DetectedFace => ({
      box: { x: 10, y: 10, width: w, height: w * 1.2 },
      landmarks5: syntheticLandmarks(0, 0, 0, w * 0.4, 10 + w / 2, 10 + w / 2),
      score,
    });
    const two = assess(original, face, [face, other(150, 0.9)]);
    expect(two.reasons).toEqual(['MULTIPLE_FACES']);
    expect(two.faceCount).toBe(2);
    expect(assess(original, face, [face, other(40, 0.9)]).reasons).toEqual([]); // a small face far behind
    expect(assess(original, face, [face, other(150, 0.2)]).reasons).toEqual([]); // an unsure detection
  });
});

describe('pose from 5 landmarks', () => {
  it('recovers single-axis yaw, pitch and roll of a projected 3-D mean face within 3°', () => {
    for (const deg of [-40, -25, -10, 0, 10, 25, 40]) {
      expect(Math.abs(estimatePose(syntheticLandmarks(deg, 0, 0)).yawDeg - deg), `yaw ${deg}`).toBeLessThan(3);
      expect(Math.abs(estimatePose(syntheticLandmarks(0, deg * 0.75, 0)).pitchDeg - deg * 0.75), `pitch ${deg}`).toBeLessThan(3);
      expect(Math.abs(estimatePose(syntheticLandmarks(0, 0, deg)).rollDeg - deg), `roll ${deg}`).toBeLessThan(0.01);
    }
  });

  it('separates the axes when combined (roll, read from the eye line, degrades most)', () => {
    const e = estimatePose(syntheticLandmarks(20, 15, 10));
    expect(Math.abs(e.yawDeg - 20)).toBeLessThan(4);
    expect(Math.abs(e.pitchDeg - 15)).toBeLessThan(4);
    expect(Math.abs(e.rollDeg - 10)).toBeLessThan(8);
    const rolled = estimatePose(syntheticLandmarks(15, 0, 60)); // yaw measured in the de-rolled frame
    expect(Math.abs(rolled.yawDeg - 15)).toBeLessThan(3);
  });

  it('raises the pose reason codes through checkQuality', () => {
    const q = (yaw: number, pitch: number, roll: number): FaceQuality => {
      const lm = syntheticLandmarks(yaw, pitch, roll, 60, 260, 260);
      return assessFaceQuality(original, { box: face.box, landmarks5: lm, score: 1 });
    };
    expect(checkQuality(q(30, 0, 0), enrol).reasons.map((r) => r.code)).toContain('POSE_YAW');
    expect(checkQuality(q(30, 0, 0), check).reasons.map((r) => r.code)).not.toContain('POSE_YAW');
    expect(checkQuality(q(-50, 0, 0), check).reasons.map((r) => r.code)).toContain('POSE_YAW');
    expect(checkQuality(q(0, 35, 0), check).reasons.map((r) => r.code)).toContain('POSE_PITCH');
    expect(checkQuality(q(0, 0, 45), check).reasons.map((r) => r.code)).toContain('POSE_ROLL');
    expect(checkQuality(q(0, 0, 0), enrol).reasons.map((r) => r.code)).not.toContain('POSE_ROLL');
  });
});

describe('thresholds configuration', () => {
  it('merges BIOCHECK_FACE_QUALITY over the defaults and rejects malformed overrides', () => {
    const t = loadQualityThresholds({ BIOCHECK_FACE_QUALITY: '{"check": {"maxYawDeg": 12}}' });
    expect(t.check.maxYawDeg).toBe(12);
    expect(t.check.minSharpness).toBe(check.minSharpness);
    expect(t.enrol).toEqual(enrol);
    expect(loadQualityThresholds({})).toEqual({ enrol, check });
    expect(() => loadQualityThresholds({ BIOCHECK_FACE_QUALITY: '{' })).toThrow(/not valid JSON/);
    expect(() => loadQualityThresholds({ BIOCHECK_FACE_QUALITY: '{"check": {"maxYaw": 1}}' })).toThrow(/unknown threshold/);
    expect(() => loadQualityThresholds({ BIOCHECK_FACE_QUALITY: '{"check": {"maxYawDeg": "x"}}' })).toThrow(/finite number/);
    expect(() => loadQualityThresholds({ BIOCHECK_FACE_QUALITY: '{"live": {}}' })).toThrow(/unknown profile/);
  });

  it('gives every reason a message and the enrol profile is never laxer than check', () => {
    for (const k of Object.keys(enrol) as (keyof typeof enrol)[]) {
      const strictIsHigher = k.startsWith('min');
      if (k === 'maxFaces') continue;
      if (strictIsHigher) expect(enrol[k], k).toBeGreaterThanOrEqual(check[k]);
      else expect(enrol[k], k).toBeLessThanOrEqual(check[k]);
    }
    const v = checkQuality({ ...assess(original), sharpness: 0 }, check);
    expect(v.ok).toBe(false);
    expect(v.reasons[0]).toMatchObject({ code: 'TOO_BLURRY' });
    expect(v.reasons[0].message.length).toBeGreaterThan(10);
  });
});
