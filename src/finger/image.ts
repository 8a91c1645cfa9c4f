// A fingerprint image in, a 500 ppi grey image out: WSQ and BMP through our decoders (src/ingest/wsq,
// src/ingest/image/bmp.ts), JPEG 2000, PNG, TIFF and JPEG through the service's image decoder, then resampled to the 500 ppi the extractor and
// the matcher work at. Every failure is a 4xx AppError.
import sharp from 'sharp';
import { AppError } from '../errors.ts';
import { decodeBmpGrey, isBmp } from '../ingest/image/bmp.ts';
import { decodeImage } from '../ingest/image/decode.ts';
import { isFingerImageRecord, parseFingerImageRecord, type FingerImageView } from '../ingest/image-records/finger-image-record.ts';
import { STANDARD_TAG } from '../ingest/image-records/types.ts';
import { decodeWsq, isWsq } from '../ingest/wsq/index.ts';
import type { GreyImage } from './extract.ts';

/** The resolution the extractor and the matcher work at. */
export const WORKING_PPI = 500;
/** Scan resolutions accepted (ISO/IEC 19794-4 allows 250 to 1000 ppi; 1000 ppi latents and slaps exist). */
export const MIN_PPI = 250;
export const MAX_PPI = 2000;
/** Resolutions this close to 500 ppi are used as they are (DB3 of FVC2004 is 512 ppi: resampled). */
const PPI_TOLERANCE = 0.01;

export interface FingerImage {
  image: GreyImage; ppi: number; format: string;
  /** Finger position the image's own record gives (ISO/IEC 19794-4 views). */
  position?: number;
}

const checkPpi = (ppi: number, field: string) => {
  if (!Number.isFinite(ppi) || ppi < MIN_PPI || ppi > MAX_PPI) throw new AppError('VALIDATION_FAILED', `${field} ${ppi} is outside ${MIN_PPI}..${MAX_PPI}`, { field });
};

/**
 * Decodes any accepted finger image to grey at its native resolution: one image, or one per view of an
 * ISO/IEC 19794-4 / ANSI/INCITS 381 finger image record.
 */
export async function decodeFingerImages(bytes: Uint8Array, declaredPpi?: number): Promise<FingerImage[]> {
  if (declaredPpi !== undefined) checkPpi(declaredPpi, 'ppi');
  if (!isFingerImageRecord(bytes)) return [await decodeFingerImage(bytes, declaredPpi)];
  const rec = parseFingerImageRecord(bytes);
  const out: FingerImage[] = [];
  for (const v of rec.views) {
    const ppi = declaredPpi ?? v.ppi;
    checkPpi(ppi, 'image_resolution');
    const img = await decodeView(v, ppi);
    out.push({ ...img, position: v.position, format: `${STANDARD_TAG[rec.standard]}/${img.format}` });
  }
  return out;
}

async function decodeView(v: FingerImageView, ppi: number): Promise<FingerImage> {
  if (v.compression === 'raw') return { image: { width: v.width, height: v.height, pixels: v.data }, ppi, format: 'raw' };
  const img = await decodeFingerImage(v.data, ppi);
  if (img.image.width !== v.width || img.image.height !== v.height) {
    throw new AppError('IMAGE_RECORD_MALFORMED', `view header says ${v.width}x${v.height} but its image is ${img.image.width}x${img.image.height}`, { field: 'horizontal_line_length', offset: v.offset });
  }
  return img;
}

/** Decodes one encoded finger image (WSQ, JPEG 2000, PNG, TIFF, JPEG, BMP) to grey at its native resolution. */
export async function decodeFingerImage(bytes: Uint8Array, declaredPpi?: number): Promise<FingerImage> {
  if (isWsq(bytes)) {
    const w = decodeWsq(bytes);
    return { image: { width: w.width, height: w.height, pixels: w.pixels }, ppi: declaredPpi ?? w.ppi ?? WORKING_PPI, format: 'wsq' };
  }
  if (isBmp(bytes)) {
    const g = decodeBmpGrey(bytes);
    return { image: { width: g.width, height: g.height, pixels: g.pixels }, ppi: declaredPpi ?? WORKING_PPI, format: 'bmp' };
  }
  const rgb = await decodeImage(bytes);
  const grey = new Uint8Array(rgb.width * rgb.height);
  for (let i = 0, j = 0; i < grey.length; i++, j += 3) grey[i] = (rgb.data[j] * 77 + rgb.data[j + 1] * 150 + rgb.data[j + 2] * 29) >> 8;
  return { image: { width: rgb.width, height: rgb.height, pixels: grey }, ppi: declaredPpi ?? WORKING_PPI, format: rgb.format };
}

/** Resamples a grey image from `ppi` to 500 ppi (Lanczos), or returns it as it is when already there. */
export async function toWorkingResolution(img: GreyImage, ppi: number): Promise<GreyImage> {
  if (Math.abs(ppi / WORKING_PPI - 1) <= PPI_TOLERANCE) return img;
  const width = Math.max(1, Math.round((img.width * WORKING_PPI) / ppi)), height = Math.max(1, Math.round((img.height * WORKING_PPI) / ppi));
  const { data, info } = await sharp(img.pixels, { raw: { width: img.width, height: img.height, channels: 1 } })
    .resize(width, height, { kernel: 'lanczos3', fit: 'fill' }).greyscale().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new AppError('IMAGE_UNDECODABLE', `resampling gave ${info.channels} bands`);
  return { width: info.width, height: info.height, pixels: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height) };
}
