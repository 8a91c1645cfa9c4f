// The decoded image every decoder gives: 8-bit RGB, row-major, interleaved.

/** 8-bit RGB, row-major, interleaved (R, G, B per pixel). */
export interface RgbImage {
  width: number;
  height: number;
  channels: 3;
  data: Uint8Array;
}

export function createRgb(width: number, height: number): RgbImage {
  return { width, height, channels: 3, data: new Uint8Array(width * height * 3) };
}
