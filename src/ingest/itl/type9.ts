// Type-9 minutiae records: the legacy standard fields 9.005–9.012, the FBI/IAFIS fields 9.014–9.023
// (type9-iafis.ts), the INCITS 378 ("M1") block
// 9.126–9.141, vendor blocks and the EFS block 9.300–9.399 (kept raw).
// Field numbers follow ANSI/NIST-ITL 1-2011 (Update 2013/2015) Table 28 for the M1 block:
// 126 CBI, 127 CEI, 128 HLL, 129 VLL, 130 SLC, 131 THPS, 132 TVPS, 133 FVW, 134 FGP, 135 FQD,
// 136 NOM, 137 FMD, 138 RCI, 139 CIN, 140 DIN, 141 ADA.
import { itlError } from './errors.ts';
import { findField } from './fields.ts';
import { MAX_MINUTIAE } from './limits.ts';
import { isIafis, readIafis, type IafisBlock } from './type9-iafis.ts';
import { FieldReader, readMm100Minutiae, xy8, type Mm100Minutia } from './type9-reader.ts';
import type { ItlField, ItlTaggedRecord } from './types.ts';

/** One minutia of legacy field 9.012 (0.01 mm from the lower-left corner, degrees). */
export type LegacyMinutia = Mm100Minutia;

export interface LegacyBlock {
  /** 9.005 OFR items (system name, method, equipment). */
  originatingSystem?: string[];
  /** 9.006 FGP. */
  positions: number[];
  /** 9.007 FPC items. */
  patternClass?: string[][];
  /** 9.008 CRP / 9.009 DLT: 0.01 mm from the lower left. */
  cores: { x: number; y: number }[];
  deltas: { x: number; y: number }[];
  /** 9.010 MIN. */
  count?: number;
  /** 9.011 RDG: 1 when ridge counts are present. */
  ridgeCountIndicator?: number;
  /** 9.012 MRC. */
  minutiae: LegacyMinutia[];
}

/** One minutia of 9.137 FMD: pixel coordinates from the upper left, angle in units of 2°. */
export interface M1Minutia {
  index: number;
  x: number;
  y: number;
  /** 0..179, units of two degrees, counter-clockwise from the horizontal to the right. */
  angle: number;
  /** 0 other, 1 ridge ending, 2 bifurcation. */
  type: number;
  /** 0..100, 0 = not available. */
  quality: number;
}

export interface M1Block {
  /** 9.126 CBI: CBEFF format owner, format type, product identifier. */
  cbeff?: { formatOwner?: string; formatType?: string; productId?: string };
  /** 9.127 CEI: Appendix F compliance and capture equipment id. */
  captureEquipment?: { compliance?: string; id?: string };
  /** 9.128 HLL / 9.129 VLL: image size in pixels. */
  width?: number;
  height?: number;
  /** 9.130 SLC: 0 aspect ratio only, 1 px/inch, 2 px/cm. */
  scaleUnits?: number;
  /** 9.131 THPS / 9.132 TVPS. */
  horizontalScale?: number;
  verticalScale?: number;
  /** 9.133 FVW: view number. */
  view?: number;
  /** 9.134 FGP. */
  position?: number;
  /** 9.135 FQD: quality value, algorithm vendor id, algorithm product code (one subfield per algorithm). */
  quality?: { value: string; vendor?: string; algorithm?: string }[];
  /** 9.136 NOM. */
  count?: number;
  /** 9.137 FMD. */
  minutiae: M1Minutia[];
  /** 9.138 RCI: extraction method, then (centre index, neighbour index, count) triples. */
  ridgeCounts?: { method: number; entries: [number, number, number][] };
  /** 9.139 CIN: x, y (px), angle (units of 2°, absent when unknown). */
  cores: { x: number; y: number; angle?: number }[];
  /** 9.140 DIN: x, y, first angle; 9.141 ADA adds the second and third angles. */
  deltas: { x: number; y: number; angles: number[] }[];
}

export interface ItlType9 {
  idc?: number;
  /** 9.003 IMP (Table 8 impression type). */
  impressionType?: number;
  /** 9.004 FMT: S = legacy standard fields present, U = user-defined/other blocks. */
  minutiaFormat?: string;
  legacy?: LegacyBlock;
  iafis?: IafisBlock;
  m1?: M1Block;
  /** Fields 9.300–9.399, kept as read. */
  efs: ItlField[];
  /** Every other field (vendor blocks 9.013, 9.024–9.125, 9.151–9.299, 9.400+), kept as read. */
  other: ItlField[];
}

const LEGACY_FIELDS = [5, 6, 7, 8, 9, 10, 11, 12];
const isLegacy = (n: number): boolean => n >= 5 && n <= 12;
const isM1 = (n: number): boolean => n >= 126 && n <= 150;
const isEfs = (n: number): boolean => n >= 300 && n <= 399;

function readLegacy(r: FieldReader): LegacyBlock {
  const mrc = r.items(12);
  const minutiae = mrc ? readMm100Minutiae(r, 12, mrc) : [];
  const count = r.uint(10, 4);
  if (count !== undefined && mrc && count !== minutiae.length) r.fail(10, `MIN says ${count} minutiae but 9.012 holds ${minutiae.length}`);
  return {
    originatingSystem: r.items(5)?.[0],
    positions: (r.items(6) ?? []).map((s) => r.num(6, s[0], 'finger position', 2)),
    patternClass: r.items(7),
    cores: (r.items(8) ?? []).map((s) => xy8(r, 8, s[0])),
    deltas: (r.items(9) ?? []).map((s) => xy8(r, 9, s[0])),
    count,
    ridgeCountIndicator: r.uint(11, 1),
    minutiae,
  };
}

function readM1(r: FieldReader): M1Block {
  const cbi = r.items(126)?.[0];
  const cei = r.items(127)?.[0];
  const minutiae: M1Minutia[] = [];
  const fmd = r.items(137);
  const width = r.uint(128, 5);
  const height = r.uint(129, 5);
  const scaleUnits = r.uint(130, 1);
  if (scaleUnits !== undefined && scaleUnits > 2) r.fail(130, `scale units must be 0, 1 or 2, found ${scaleUnits}`);
  if (fmd) {
    if (fmd.length > MAX_MINUTIAE) r.fail(137, `more than ${MAX_MINUTIAE} minutiae`);
    for (const s of fmd) {
      if (s.length !== 6) r.fail(137, `each minutia needs 6 items (index, x, y, angle, type, quality), found ${s.length}`);
      const m: M1Minutia = {
        index: r.num(137, s[0], 'minutia index', 3),
        x: r.num(137, s[1], 'minutia x', 5), y: r.num(137, s[2], 'minutia y', 5),
        angle: r.num(137, s[3], 'minutia angle', 3), type: r.num(137, s[4], 'minutia type', 1),
        quality: r.num(137, s[5], 'minutia quality', 3),
      };
      if (m.angle > 179) r.fail(137, `minutia angle ${m.angle} exceeds 179 (units of 2 degrees)`);
      if (m.type > 2) r.fail(137, `minutia type ${m.type} is not 0, 1 or 2`);
      if (m.quality > 100) r.fail(137, `minutia quality ${m.quality} exceeds 100`);
      minutiae.push(m);
    }
  }
  const count = r.uint(136, 3);
  if (count !== undefined && count !== minutiae.length) r.fail(136, `NOM says ${count} minutiae but 9.137 holds ${minutiae.length}`);
  if (count === undefined && fmd) r.fail(136, 'FMD (9.137) present without NOM (9.136)');
  const rci = r.items(138);
  let ridgeCounts: M1Block['ridgeCounts'];
  if (rci) {
    const method = r.num(138, rci[0][0], 'ridge count extraction method', 1);
    if (method > 2) r.fail(138, `ridge count extraction method ${method} is not 0, 1 or 2`);
    const entries = rci.slice(1).map((s): [number, number, number] => {
      if (s.length !== 3) r.fail(138, 'each ridge count needs 3 items');
      return [r.num(138, s[0], 'centre index', 3), r.num(138, s[1], 'neighbour index', 3), r.num(138, s[2], 'ridge count', 3)];
    });
    ridgeCounts = { method, entries };
  }
  const cores = (r.items(139) ?? []).map((s) => {
    if (s.length < 2) r.fail(139, 'each core needs x and y');
    return { x: r.num(139, s[0], 'core x', 5), y: r.num(139, s[1], 'core y', 5), angle: s[2] ? r.num(139, s[2], 'core angle', 3) : undefined };
  });
  const ada = r.items(141) ?? [];
  const deltas = (r.items(140) ?? []).map((s, i) => {
    if (s.length < 2) r.fail(140, 'each delta needs x and y');
    const angles = s[2] ? [r.num(140, s[2], 'delta angle', 3)] : [];
    for (const a of ada[i] ?? []) if (a !== '') angles.push(r.num(141, a, 'additional delta angle', 3));
    return { x: r.num(140, s[0], 'delta x', 5), y: r.num(140, s[1], 'delta y', 5), angles };
  });
  return {
    cbeff: cbi ? { formatOwner: cbi[0], formatType: cbi[1], productId: cbi[2] } : undefined,
    captureEquipment: cei ? { compliance: cei[0], id: cei[1] } : undefined,
    width, height, scaleUnits,
    horizontalScale: r.uint(131, 5), verticalScale: r.uint(132, 5),
    view: r.uint(133, 3),
    position: r.items(134) ? r.num(134, r.items(134)![0][0], 'finger position', 2) : undefined,
    quality: r.items(135)?.map((s) => ({ value: s[0], vendor: s[1], algorithm: s[2] })),
    count, minutiae, ridgeCounts, cores, deltas,
  };
}

/** Reads a Type-9 record's blocks. Throws ITL_MALFORMED (naming the field) on malformed minutiae fields. */
export function readType9(record: ItlTaggedRecord, index?: number): ItlType9 {
  if (record.type !== 9) throw itlError('ITL_MALFORMED', `expected a Type-9 record, got Type-${record.type}`, { record: index, recordType: record.type });
  const r = new FieldReader(record, index);
  const hasLegacy = LEGACY_FIELDS.some((n) => findField(record, n));
  const hasM1 = record.fields.some((f) => isM1(f.number));
  return {
    idc: r.uint(2, 3),
    impressionType: r.uint(3, 2),
    minutiaFormat: r.text(4),
    legacy: hasLegacy ? readLegacy(r) : undefined,
    iafis: record.fields.some((f) => isIafis(f.number)) ? readIafis(r) : undefined,
    m1: hasM1 ? readM1(r) : undefined,
    efs: record.fields.filter((f) => isEfs(f.number)),
    other: record.fields.filter((f) => f.number > 4 && !isLegacy(f.number) && !isIafis(f.number) && !isM1(f.number) && !isEfs(f.number)),
  };
}
