// Limits every image decode enforces before decoding pixels: encoded bytes, pixels and side length
// (decompression bombs). Faces and fingers share them.
export interface DecodeLimits {
  /** Largest accepted encoded input, bytes (IMAGE_TOO_LARGE beyond). */
  maxBytes: number;
  /** Largest accepted width*height, read from the header before decoding (IMAGE_TOO_MANY_PIXELS). */
  maxPixels: number;
  /** Largest accepted side, pixels (a 1 x 40M strip is as hostile as a square bomb). */
  maxSide: number;
}

export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = {
  maxBytes: 15 * 1024 * 1024,
  maxPixels: 40_000_000, // a 50 MP camera frame is refused; e-gate frames are 2-12 MP
  maxSide: 20_000,
};
