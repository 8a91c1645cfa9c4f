// Type-9 → FingerMinutiae (the matcher's view: 500 ppi pixels, y down, radians CCW from +x).
import type { FingerMinutiae, Minutia, MinutiaType } from '../../finger/types.ts';
import { readType4Header } from './binary-read.ts';
import { itlError } from './errors.ts';
import { decodeEmbeddedTemplate, findEmbeddedTemplate } from './embedded-template.ts';
import { fieldText, recordIdc } from './fields.ts';
import { ppiFrom, readImageRecord } from './image.ts';
import type { Mm100Minutia } from './type9-reader.ts';
import { readType9, type M1Block } from './type9.ts';
import type { ItlTaggedRecord, ItlTransaction } from './types.ts';

const TARGET_PPI = 500;
/** Type-4 ISR 0: the minimum scanning resolution, 19.69 px/mm. */
const MIN_SCANNING_PPI = 19.69 * 25.4;
const TWO_PI = 2 * Math.PI;
const DEG = Math.PI / 180;

const normAngle = (rad: number): number => ((rad % TWO_PI) + TWO_PI) % TWO_PI;
/** ITL friction-ridge positions above 10 (plain thumbs, slaps, palms) have no single-finger code. */
const fingerPosition = (p: number | undefined): number => (p !== undefined && p >= 0 && p <= 10 ? p : 0);

function fromM1(m1: M1Block, index: number | undefined): FingerMinutiae {
  // Resolution from SLC/THPS/TVPS; with SLC 0 (aspect ratio only) the pixels are taken as 500 ppi.
  const ppiH = ppiFrom(m1.scaleUnits, m1.horizontalScale) ?? TARGET_PPI;
  const ppiV = ppiFrom(m1.scaleUnits, m1.verticalScale) ?? ppiH;
  const sx = TARGET_PPI / ppiH;
  const sy = TARGET_PPI / ppiV;
  const typeOf = (t: number): MinutiaType => (t === 1 ? 'ending' : t === 2 ? 'bifurcation' : 'other');
  if (m1.minutiae.length === 0 && m1.count === undefined) {
    throw itlError('ITL_UNSUPPORTED', 'INCITS 378 block has no minutiae field (9.137)', { record: index, recordType: 9, field: '9.137' });
  }
  return {
    position: fingerPosition(m1.position),
    width: m1.width !== undefined ? m1.width * sx : 0,
    height: m1.height !== undefined ? m1.height * sy : 0,
    minutiae: m1.minutiae.map((m): Minutia => ({
      x: m.x * sx, y: m.y * sy, angle: normAngle(m.angle * 2 * DEG), type: typeOf(m.type), quality: m.quality,
    })),
  };
}

/** Image height and resolution of the image record sharing the Type-9's IDC, when the transaction has one. */
interface Geometry { widthPx: number; heightPx: number; ppi: number }

function imageGeometry(t: ItlTransaction | undefined, idc: number | undefined): Geometry | undefined {
  if (!t || idc === undefined) return undefined;
  for (const r of t.records) {
    if (r.type === 9 || r.type === 1 || recordIdc(r) !== idc) continue;
    if (r.kind === 'binary') {
      const h = readType4Header(r);
      if (!h) continue;
      const nsr = Number(fieldText(t.records[0] as ItlTaggedRecord, 11));
      const ppi = h.isr === 0 || !(nsr > 0) ? MIN_SCANNING_PPI : nsr * 25.4;
      return { widthPx: h.width, heightPx: h.height, ppi };
    }
    if (r.type === 13 || r.type === 14) {
      const img = readImageRecord(r);
      if (img.width !== undefined && img.height !== undefined && img.ppi !== undefined) {
        return { widthPx: img.width, heightPx: img.height, ppi: img.ppi };
      }
    }
  }
  return undefined;
}

/** Minutiae in 0.01 mm from the lower-left corner: the legacy 9.012 and the IAFIS 9.023 alike. */
interface Mm100Block { positions: number[]; minutiae: Mm100Minutia[] }

function fromMm100(legacy: Mm100Block, geometry: Geometry | undefined): FingerMinutiae {
  // 0.01 mm → 500 ppi pixels; the origin is the lower-left corner, so y flips about the image height.
  const scale = TARGET_PPI / 2540;
  const heightMm100 = geometry ? (geometry.heightPx / geometry.ppi) * 2540 : Math.max(0, ...legacy.minutiae.map((m) => m.y));
  const typeOf = (t: string): MinutiaType => (t === 'A' ? 'ending' : t === 'B' ? 'bifurcation' : 'other');
  return {
    position: fingerPosition(legacy.positions[0]),
    width: geometry ? (geometry.widthPx * TARGET_PPI) / geometry.ppi : 0,
    height: geometry ? (geometry.heightPx * TARGET_PPI) / geometry.ppi : 0,
    minutiae: legacy.minutiae.map((m): Minutia => ({
      x: m.x * scale,
      y: (heightMm100 - m.y) * scale,
      // ANSI/NIST legacy angles point the opposite way to INCITS 378's (NBIS an2k2fmr adds 180°); IAFIS
      // MAT, the feature set the legacy fields were drawn from, is read the same way.
      angle: normAngle((m.theta + 180) * DEG),
      type: typeOf(m.type),
      // 2..63 → 0..100; 0 (manual) and 1 (no quality) carry no score.
      quality: m.quality >= 2 ? Math.round((m.quality * 100) / 63) : 0,
    })),
  };
}

/**
 * The matcher's view of a Type-9 record. Prefers the INCITS 378 block (9.126–9.141), then the
 * legacy standard fields (9.005–9.012), then a binary INCITS 378 / ISO 19794-2 template embedded
 * in a field, then the FBI/IAFIS fields (9.014–9.023). `transaction` lets the 0.01 mm layouts find
 * their image's height (for the y flip).
 */
export function itlType9ToFingerMinutiae(record: ItlTaggedRecord, transaction?: ItlTransaction, index?: number): FingerMinutiae {
  const t9 = readType9(record, index);
  if (t9.m1 && (t9.m1.minutiae.length > 0 || t9.m1.count !== undefined)) return fromM1(t9.m1, index);
  const geometry = () => imageGeometry(transaction, t9.idc);
  if (t9.legacy && t9.legacy.minutiae.length > 0) return fromMm100(t9.legacy, geometry());
  const embedded = findEmbeddedTemplate(record);
  if (embedded) return decodeEmbeddedTemplate(embedded.bytes, { record: index, recordType: 9, field: embedded.tag });
  if (t9.iafis && (t9.iafis.minutiae.length > 0 || t9.iafis.count !== undefined)) return fromMm100(t9.iafis, geometry());
  if (t9.legacy) return fromMm100(t9.legacy, geometry());
  throw itlError('ITL_UNSUPPORTED', 'Type-9 record carries no minutiae this codec reads (no 9.137, 9.012, 9.023 or embedded template)', { record: index, recordType: 9 });
}
