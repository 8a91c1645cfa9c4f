// Public surface of the fingerprint matcher.
export type { FingerMinutiae, Minutia, MinutiaType } from './types.ts';
export { encodeFinger, validateFingerTemplate, compareFingers, compareFingersAsync, type FingerInput, MAX_MINUTIAE } from './matcher.ts';
export { FingerGallery, type FingerHit, type FingerSearchOptions } from './gallery.ts';
export { calibrateFingerScore, rawThresholdForFmr, FINGER_THRESHOLD_FMR_1E3, FINGER_THRESHOLD_FMR_1E4, CALIBRATION_CAP } from './calibrate.ts';
export { fuseFingerScores, type FingerScore, type FusedFingerScore } from './fusion.ts';
