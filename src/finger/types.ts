// The matcher's view of a finger: minutiae on a common scale, whatever template format they came in.

export type MinutiaType = 'ending' | 'bifurcation' | 'other';

/** One minutia normalised to 500 ppi pixel units (x right, y down) with its direction in radians. */
export interface Minutia {
  x: number;
  y: number;
  /** Direction in radians in [0, 2π), counter-clockwise from the x axis as the standards define it. */
  angle: number;
  type: MinutiaType;
  /** 0..100; 0 when the template does not say. */
  quality: number;
}

/** A finger ready for the matcher. */
export interface FingerMinutiae {
  /** Finger position code 0..10 (ISO/IEC 19794-2 / ANSI 378), 0 = unknown. */
  position: number;
  /** Image size in 500 ppi pixel units, when known. */
  width: number;
  height: number;
  minutiae: Minutia[];
}
