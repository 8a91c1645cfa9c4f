// The FBI/IAFIS feature set of Type-9 (fields 9.014–9.023, defined in the FBI's EFTS/EBTS Appendix J and
// reserved for it by ANSI/NIST-ITL 1-2011 Table 27): 9.014 FGN finger number, 9.015 NMN number of
// minutiae, 9.016 FCP characterization process, 9.017 APC pattern classification, 9.018 ROV region of
// value, 9.019 COF coordinate offsets, 9.020 ORN orientation uncertainty, 9.021 CRA core attributes,
// 9.022 DLA delta attributes, 9.023 MAT minutiae and ridge count data. MAT writes each minutia as the
// legacy 9.012 does (index, XXXXYYYYTTT in 0.01 mm from the lower left and degrees, quality 0..63, type
// A/B/C/D, then the eight octant neighbours' ridge counts), so both share one item reader.
import { readMm100Minutiae, xy8, type FieldReader, type Mm100Minutia } from './type9-reader.ts';

/** A core or delta of 9.021 / 9.022: position (0.01 mm, lower-left origin), the other items as written. */
export interface IafisSingularity { x: number; y: number; attributes: string[] }

export interface IafisBlock {
  /** 9.014 FGN: finger number(s); a latent may name several candidates. */
  positions: number[];
  /** 9.015 NMN. */
  count?: number;
  /** 9.016 FCP items (system, method). */
  characterization?: string[];
  /** 9.017 APC: up to three (pattern, ridge count, ridge count) subfields. */
  patternClass?: string[][];
  /** 9.018 ROV and 9.019 COF, kept as written. */
  regionOfValue?: string[][];
  coordinateOffsets?: string[];
  /** 9.020 ORN, degrees. */
  orientationUncertainty?: number;
  /** 9.021 CRA / 9.022 DLA. */
  cores: IafisSingularity[];
  deltas: IafisSingularity[];
  /** 9.023 MAT. */
  minutiae: Mm100Minutia[];
}

export const IAFIS_FIRST_FIELD = 14;
export const IAFIS_LAST_FIELD = 23;
export const isIafis = (n: number): boolean => n >= IAFIS_FIRST_FIELD && n <= IAFIS_LAST_FIELD;

function singularities(r: FieldReader, n: number): IafisSingularity[] {
  return (r.items(n) ?? []).map((s) => {
    const at = xy8(r, n, s[0]);
    for (const a of s.slice(1)) if (!/^\d{0,5}$/.test(a)) r.fail(n, `attribute "${a.slice(0, 20)}" must be up to 5 digits`);
    return { ...at, attributes: s.slice(1) };
  });
}

/** Reads the IAFIS block; every count and item is checked, a failure names its field. */
export function readIafis(r: FieldReader): IafisBlock {
  const mat = r.items(23);
  const minutiae = mat ? readMm100Minutiae(r, 23, mat) : [];
  const count = r.uint(15, 3);
  if (count !== undefined && mat && count !== minutiae.length) r.fail(15, `NMN says ${count} minutiae but 9.023 holds ${minutiae.length}`);
  if (count !== undefined && count > 0 && !mat) r.fail(15, `NMN says ${count} minutiae but there is no 9.023 MAT`);
  return {
    positions: (r.items(14) ?? []).map((s) => r.num(14, s[0], 'finger number', 2)),
    count,
    characterization: r.items(16)?.[0],
    patternClass: r.items(17),
    regionOfValue: r.items(18),
    coordinateOffsets: r.items(19)?.[0],
    orientationUncertainty: r.uint(20, 3),
    cores: singularities(r, 21),
    deltas: singularities(r, 22),
    minutiae,
  };
}
