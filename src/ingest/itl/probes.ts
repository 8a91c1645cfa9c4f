// extractProbes: what a check needs out of a transaction — fingers (minutiae), faces, finger images
// (Type-4, Type-13 latents, Type-14), text.
import type { FingerMinutiae } from '../../finger/types.ts';
import { isAppError } from '../../errors.ts';
import { canonicalTag, textOf } from './fields.ts';
import { readImageRecord, type ImageFormat } from './image.ts';
import { readType4Header } from './binary-read.ts';
import { type1Info } from './type1.ts';
import { itlType9ToFingerMinutiae } from './type9-minutiae.ts';
import type { ItlTransaction } from './types.ts';

export interface ItlFingerProbe {
  minutiae: FingerMinutiae;
  /** Finger position 0..10 (0 unknown). */
  position: number;
  idc?: number;
  /** Index of the record in the transaction. */
  record: number;
}

interface ImageProbeBase {
  image: Uint8Array;
  /** What CGA declares, for a decoder; `raw` = uncompressed pixels (width x height). */
  format: ImageFormat;
  /** CGA as written (JPEGB, JP2L, PNG…). */
  compression: string;
  width?: number;
  height?: number;
  ppi?: number;
  idc?: number;
  record: number;
}

export interface ItlFaceProbe extends ImageProbeBase { pose?: string }
export interface ItlFingerImageProbe extends ImageProbeBase { positions: number[] }

export interface ItlProbes {
  fingers: ItlFingerProbe[];
  faces: ItlFaceProbe[];
  fingerImages: ItlFingerImageProbe[];
  /** Type-2 fields by canonical tag (`2.018`); a second Type-2 record's keys carry `@<IDC>`. */
  text: Record<string, string>;
  /** The parse notes plus what extraction skipped. */
  notes: string[];
}

/** Type-4 GCA (ANSI/NIST-ITL 1-2011 Table 19: 0 none, 1 WSQ, 2 JPEGB, 3 JPEGL, 4 JP2, 5 JP2L, 6 PNG). */
const TYPE4_FORMATS: Record<number, [ImageFormat, string]> = {
  0: ['raw', 'NONE'], 1: ['wsq', 'WSQ20'], 2: ['jpeg', 'JPEGB'], 3: ['jpeg', 'JPEGL'], 4: ['jp2', 'JP2'], 5: ['jp2', 'JP2L'], 6: ['png', 'PNG'],
};

/** Type-4 resolution: ISR 0 is the minimum scanning resolution (19.69 px/mm = 500 ppi), 1 the Type-1 NSR. */
function type4Ppi(t: ItlTransaction, isr: number): number | undefined {
  if (isr === 0) return 500;
  let nsr: number | undefined;
  try { nsr = Number(type1Info(t).nativeScanningResolution); } catch { nsr = undefined; }
  return nsr && Number.isFinite(nsr) && nsr > 0 ? Math.round(nsr * 25.4) : undefined;
}

export function extractProbes(t: ItlTransaction): ItlProbes {
  const out: ItlProbes = { fingers: [], faces: [], fingerImages: [], text: {}, notes: [...t.notes] };
  t.records.forEach((r, index) => {
    if (r.kind === 'binary') {
      const h = r.type === 4 ? readType4Header(r) : undefined;
      if (!h) return;
      const fmt = TYPE4_FORMATS[h.compression];
      if (!fmt) { out.notes.push(`record ${index}: Type-4 compression ${h.compression} is not one this service reads; skipped`); return; }
      out.fingerImages.push({
        image: r.raw.subarray(18), format: fmt[0], compression: fmt[1], width: h.width, height: h.height,
        ppi: type4Ppi(t, h.isr), idc: h.idc, record: index, positions: h.positions,
      });
      return;
    }
    if (r.type === 2) {
      for (const f of r.fields) {
        if (f.number <= 2) continue;
        const key = canonicalTag(2, f.number);
        const idc = textOf(r.fields.find((g) => g.number === 2)?.value ?? new Uint8Array());
        out.text[key in out.text ? `${key}@${idc}` : key] = textOf(f.value);
      }
    } else if (r.type === 9) {
      try {
        const minutiae = itlType9ToFingerMinutiae(r, t, index);
        const idcField = r.fields.find((f) => f.number === 2);
        out.fingers.push({ minutiae, position: minutiae.position, idc: idcField ? Number(textOf(idcField.value)) : undefined, record: index });
      } catch (e) {
        if (isAppError(e) && e.code === 'ITL_UNSUPPORTED') out.notes.push(`record ${index}: Type-9 skipped: ${e.message}`);
        else throw e;
      }
    } else if (r.type === 10 || r.type === 13 || r.type === 14) {
      const img = readImageRecord(r);
      if (!img.data || !img.format || !img.compression) {
        out.notes.push(`record ${index}: Type-${r.type} image skipped (no data or unknown compression)`);
        return;
      }
      const base = { image: img.data, format: img.format, compression: img.compression, width: img.width, height: img.height, ppi: img.ppi, idc: img.idc, record: index };
      if (r.type !== 10) out.fingerImages.push({ ...base, positions: img.positions ?? [] });
      else if ((img.imageType ?? '').toUpperCase() === 'FACE') out.faces.push({ ...base, pose: img.pose });
      else out.notes.push(`record ${index}: Type-10 image of type "${img.imageType ?? ''}" is not a face; skipped`);
    }
  });
  return out;
}
