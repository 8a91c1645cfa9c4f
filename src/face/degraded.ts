// Poor captures: small and blurred faces brought nearer to what the landmark net and the embedder were
// trained on, before they see them.
// Each step runs only where a measure calls for it: an ordinary photo takes the unchanged path (the view
// is the image itself).
import sharp, { type OutputInfo } from 'sharp';
import { extractRgb, type Box, type Point, type RgbImage } from './image.ts';
import { POOR_CAPTURE as P } from './pipeline-config.ts';

/** What the landmark net and the aligner look at: the image itself, or a region of it resampled. */
export interface FaceView {
  image: RgbImage;
  /** Image pixels → view pixels, and back (pixel centres at integers, as align.ts assumes). */
  toView: (p: Point) => Point;
  toImage: (p: Point) => Point;
  /** An image box (edge coordinates) in view pixels. */
  boxToView: (b: Box) => Box;
  /** View pixels per image pixel. */
  scale: number;
}

const identity: Omit<FaceView, 'image'> = { toView: (p) => p, toImage: (p) => p, boxToView: (b) => b, scale: 1 };

const raw = (img: RgbImage) => sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 3 } });
const toRgb = ({ data, info }: { data: Buffer; info: OutputInfo }): RgbImage =>
  ({ width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });

/** The region of `image` around `box` (regionScale times its size, clipped), scaled by `factor` (Lanczos-3). */
async function regionView(image: RgbImage, box: Box, factor: number): Promise<FaceView> {
  const side = Math.max(box.width, box.height) * P.regionScale;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const x0 = Math.max(0, Math.floor(cx - side / 2));
  const y0 = Math.max(0, Math.floor(cy - side / 2));
  const x1 = Math.min(image.width, Math.max(x0 + 1, Math.ceil(cx + side / 2)));
  const y1 = Math.min(image.height, Math.max(y0 + 1, Math.ceil(cy + side / 2)));
  const region = extractRgb(image, x0, y0, x1, y1);
  const w = Math.max(1, Math.round(region.width * factor));
  const h = Math.max(1, Math.round(region.height * factor));
  const img = factor === 1 ? region : toRgb(await raw(region).resize(w, h, { kernel: 'lanczos3', fit: 'fill' }).raw().toBuffer({ resolveWithObject: true }));
  const kx = img.width / region.width;
  const ky = img.height / region.height;
  return {
    image: img, scale: kx,
    toView: (p) => ({ x: (p.x - x0 + 0.5) * kx - 0.5, y: (p.y - y0 + 0.5) * ky - 0.5 }),
    toImage: (p) => ({ x: (p.x + 0.5) / kx - 0.5 + x0, y: (p.y + 0.5) / ky - 0.5 + y0 }),
    boxToView: (b) => ({ x: (b.x - x0) * kx, y: (b.y - y0) * ky, width: b.width * kx, height: b.height * ky }),
  };
}

/** A face narrower than smallFaceWidthPx is seen upscaled to about upscaleToWidthPx (at most maxUpscale
 *  times): the 68-point net and the embedder were trained on faces far larger than 15-40 px, and Lanczos
 *  resampling keeps more of the edges than the bilinear warp would. */
export async function faceView(image: RgbImage, box: Box): Promise<FaceView> {
  if (box.width >= P.smallFaceWidthPx) return { image, ...identity };
  return regionView(image, box, Math.min(P.maxUpscale, P.upscaleToWidthPx / Math.max(box.width, 1)));
}

/** The view sharpened (unsharp mask scaled to the face's width) when the face measured blurred; else as it is. */
export async function sharpenedView(image: RgbImage, view: FaceView, box: Box, sharpness: number): Promise<FaceView> {
  if (!(sharpness < P.sharpenBelowSharpness)) return view;
  // Only the face's region is filtered: a large frame need not be.
  const v = view.image === image ? await regionView(image, box, 1) : view;
  const sigma = Math.min(10, Math.max(0.3, box.width * v.scale * P.sharpenSigmaOverFaceWidth)); // sharp's range is up to 10
  const img = toRgb(await raw(v.image).sharpen({ sigma, m1: P.sharpenAmount, m2: P.sharpenAmount, x1: 0 }).raw().toBuffer({ resolveWithObject: true }));
  return { ...v, image: img };
}
