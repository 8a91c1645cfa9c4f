// Draws DET curves (FNMR against FMR, both on log axes) into an RGB buffer and writes a PNG with sharp.
import sharp from 'sharp';

export interface DetSeries {
  color: [number, number, number];
  points: { fmr: number; fnmr: number }[];
}

const W = 640, H = 520, M = 50;
const X_DECADES = [-4, 0];  // FMR 1e-4 .. 1
const Y_DECADES = [-3, 0];  // FNMR 1e-3 .. 1

function put(buf: Buffer, x: number, y: number, c: [number, number, number]): void {
  if (x < 0 || y < 0 || x >= W || y >= H) return;
  const o = (y * W + x) * 3;
  buf[o] = c[0]; buf[o + 1] = c[1]; buf[o + 2] = c[2];
}

function line(buf: Buffer, x0: number, y0: number, x1: number, y1: number, c: [number, number, number], thick = 1): void {
  const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0)));
  for (let i = 0; i <= n; i++) {
    const x = Math.round(x0 + ((x1 - x0) * i) / n), y = Math.round(y0 + ((y1 - y0) * i) / n);
    for (let dx = 0; dx < thick; dx++) for (let dy = 0; dy < thick; dy++) put(buf, x + dx, y + dy, c);
  }
}

const px = (fmr: number) => M + ((Math.log10(Math.max(fmr, 10 ** X_DECADES[0])) - X_DECADES[0]) / (X_DECADES[1] - X_DECADES[0])) * (W - 2 * M);
const py = (fnmr: number) => H - M - ((Math.log10(Math.max(fnmr, 10 ** Y_DECADES[0])) - Y_DECADES[0]) / (Y_DECADES[1] - Y_DECADES[0])) * (H - 2 * M);

/** White background, grey decade grid, black axes, one coloured polyline per series, a dashed EER diagonal. */
export async function writeDetPng(file: string, series: DetSeries[]): Promise<void> {
  const buf = Buffer.alloc(W * H * 3, 255);
  const grey: [number, number, number] = [215, 215, 215];
  for (let d = X_DECADES[0]; d <= X_DECADES[1]; d++) {
    for (let m = 1; m < 10; m++) {
      const x = Math.round(px(m * 10 ** d));
      if (d === X_DECADES[1] && m > 1) break;
      line(buf, x, M, x, H - M, m === 1 ? [170, 170, 170] : grey);
    }
  }
  for (let d = Y_DECADES[0]; d <= Y_DECADES[1]; d++) {
    for (let m = 1; m < 10; m++) {
      const y = Math.round(py(m * 10 ** d));
      if (d === Y_DECADES[1] && m > 1) break;
      line(buf, M, y, W - M, y, m === 1 ? [170, 170, 170] : grey);
    }
  }
  // FMR = FNMR diagonal, dashed.
  for (let v = -3; v < 0; v += 0.05) {
    if (Math.round(v * 20) % 2) continue;
    line(buf, Math.round(px(10 ** v)), Math.round(py(10 ** v)), Math.round(px(10 ** (v + 0.05))), Math.round(py(10 ** (v + 0.05))), [120, 120, 120]);
  }
  line(buf, M, H - M, W - M, H - M, [0, 0, 0], 2);
  line(buf, M, M, M, H - M, [0, 0, 0], 2);
  for (const s of series) {
    let prev: [number, number] | undefined;
    for (const p of s.points) {
      if (p.fmr <= 0 && p.fnmr <= 0) continue;
      const cur: [number, number] = [Math.round(px(p.fmr)), Math.round(py(p.fnmr))];
      if (prev) line(buf, prev[0], prev[1], cur[0], cur[1], s.color, 2);
      prev = cur;
    }
  }
  // Legend swatches top right, in series order.
  series.forEach((s, i) => {
    for (let y = 0; y < 10; y++) line(buf, W - M - 60, M + 10 + i * 16 + y, W - M - 40, M + 10 + i * 16 + y, s.color);
  });
  await sharp(buf, { raw: { width: W, height: H, channels: 3 } }).png().toFile(file);
}
