// Extended data area of a finger view: a 2-byte total length, then blocks of type (2), length (2)
// and data. Ridge counts, cores/deltas and (ISO) zonal quality are decoded; every other block is
// kept as bytes. The lenient parser keeps an undecodable known block as bytes too.
import { isAppError } from '../../errors.ts';
import { ByteReader, type ByteWriter } from './bytes.ts';
import { type ParseContext, templateError } from './fail.ts';
import { bits14, checkInside, type ImageBounds } from './minutiae.ts';
import {
  BLOCK_CORE_DELTA, BLOCK_RIDGE_COUNTS, BLOCK_ZONAL_QUALITY, type FormatTraits, maxAngle,
} from './traits.ts';
import type {
  CoreDeltaBlock, CorePoint, DeltaPoint, ExtendedBlock, RidgeCountBlock, ZonalQualityBlock,
} from './types.ts';

const BLOCK_HEADER_BYTES = 4;
/** Ridge count extraction methods defined by the standards (non-specific, quadrants, octants). */
const MAX_RIDGE_COUNT_METHOD = 2;
const ANSI_CORE_COUNT_MASK = 0x0f;
const ANSI_DELTA_COUNT_MASK = 0x3f;
const ISO_COUNT_MASK = 0x3f;
const ANGLE_FLAG = 1;

export interface ViewFacts extends ImageBounds {
  minutiaCount: number;
}

export function readExtendedData(r: ByteReader, traits: FormatTraits, ctx: ParseContext, facts: ViewFacts): ExtendedBlock[] {
  const lengthAt = r.pos;
  const total = r.u16('extended data length');
  if (total > r.remaining) {
    throw templateError('TEMPLATE_TRUNCATED', `extended data length ${total} runs past the end of the record`,
      r.end, 'extended data length', { declared: total, available: r.remaining });
  }
  const area = new ByteReader(r.buf, r.pos, r.pos + total);
  r.pos += total;
  const blocks: ExtendedBlock[] = [];
  while (area.remaining > 0) {
    const at = area.pos;
    if (area.remaining < BLOCK_HEADER_BYTES) {
      throw templateError('TEMPLATE_LENGTH_MISMATCH',
        `extended data length ${total} (at offset ${lengthAt}) leaves ${area.remaining} byte(s), too few for a block header`,
        at, 'extended data block');
    }
    const typeCode = area.u16('extended data type');
    const declared = area.u16('extended data block length');
    if (traits.blockLengthIncludesHeader && declared < BLOCK_HEADER_BYTES) {
      throw templateError('TEMPLATE_INVALID_FIELD', `extended data block length ${declared} is shorter than its own header`,
        at + 2, 'extended data block length');
    }
    const dataLength = traits.blockLengthIncludesHeader ? declared - BLOCK_HEADER_BYTES : declared;
    if (dataLength > area.remaining) {
      throw templateError('TEMPLATE_LENGTH_MISMATCH',
        `extended data block of ${dataLength} data bytes overruns the extended data length ${total} (at offset ${lengthAt})`,
        at + 2, 'extended data block length');
    }
    const dataStart = area.pos;
    area.pos += dataLength;
    blocks.push(decodeBlock(r.buf, typeCode, dataStart, dataStart + dataLength, traits, ctx, facts));
  }
  return blocks;
}

function decodeBlock(
  buf: Uint8Array, typeCode: number, start: number, end: number, traits: FormatTraits, ctx: ParseContext, facts: ViewFacts,
): ExtendedBlock {
  const raw = (): ExtendedBlock => ({ kind: 'raw', typeCode, data: buf.slice(start, end) });
  if (typeCode === 0) {
    ctx.tolerate('extended data type 0 is reserved', start - BLOCK_HEADER_BYTES, 'extended data type');
    return raw();
  }
  const decoder = typeCode === BLOCK_RIDGE_COUNTS ? decodeRidgeCounts
    : typeCode === BLOCK_CORE_DELTA ? decodeCoreDelta
      : typeCode === BLOCK_ZONAL_QUALITY && traits.hasZonalQuality ? decodeZonalQuality
        : undefined;
  if (!decoder) return raw();
  try {
    return decoder(new ByteReader(buf, start, end), traits, ctx, facts);
  } catch (e) {
    if (!ctx.lenient || !isAppError(e)) throw e;
    ctx.warnings.push(`extended data block type ${typeCode} kept as bytes: ${e.message}`);
    return raw();
  }
}

function decodeRidgeCounts(r: ByteReader, _t: FormatTraits, ctx: ParseContext, facts: ViewFacts): RidgeCountBlock {
  const methodAt = r.pos;
  const method = r.u8('ridge count extraction method');
  if (method > MAX_RIDGE_COUNT_METHOD) ctx.tolerate(`ridge count extraction method ${method} is not defined`, methodAt, 'ridge count extraction method');
  const block: RidgeCountBlock = { kind: 'ridge-counts', method, edges: [] };
  while (r.remaining >= 3) {
    const at = r.pos;
    const edge = { from: r.u8('ridge count index'), to: r.u8('ridge count index'), count: r.u8('ridge count') };
    // Indices are minutia numbers; the standards disagree on 0- or 1-based, so accept up to the count.
    if (edge.from > facts.minutiaCount || edge.to > facts.minutiaCount) {
      ctx.tolerate(`ridge count edge (${edge.from}, ${edge.to}) names a minutia beyond the ${facts.minutiaCount} recorded`, at, 'ridge count index');
    }
    block.edges.push(edge);
  }
  if (r.remaining > 0) {
    ctx.tolerate(`${r.remaining} byte(s) after the last whole ridge count edge`, r.pos, 'ridge count data');
    block.trailing = r.bytes(r.remaining, 'ridge count data');
  }
  return block;
}

function decodeCoreDelta(r: ByteReader, traits: FormatTraits, ctx: ParseContext, facts: ViewFacts): CoreDeltaBlock {
  const ansi = traits.coreDeltaStyle === 'ansi';
  const block: CoreDeltaBlock = { kind: 'core-delta', cores: [], deltas: [] };
  for (const which of ['core', 'delta'] as const) {
    const infoAt = r.pos;
    const info = r.u8(`${which} information`);
    const countMask = !ansi ? ISO_COUNT_MASK : which === 'core' ? ANSI_CORE_COUNT_MASK : ANSI_DELTA_COUNT_MASK;
    const count = info & countMask;
    const blockType = info >>> 6;
    if (ansi && blockType > ANGLE_FLAG) throw templateError('TEMPLATE_INVALID_FIELD', `${which} information type ${blockType} is not defined`, infoAt, `${which} information`);
    // ANSI: the type bits are rebuilt from the points when there are any, so keep them only for empty lists.
    const kept = ansi ? (info & ~countMask & ~(count > 0 ? 0xc0 : 0)) & 0xff : info & ~countMask;
    if (kept) block[which === 'core' ? 'coreInfoReserved' : 'deltaInfoReserved'] = kept;
    for (let i = 0; i < count; i++) {
      const at = r.pos;
      const xw = r.u16(`${which} x`);
      const yw = r.u16(`${which} y`);
      const pointType = ansi ? blockType : xw >>> 14;
      if (pointType > ANGLE_FLAG) throw templateError('TEMPLATE_INVALID_FIELD', `${which} type ${pointType} is not defined`, at, `${which} type`);
      const p: CorePoint & DeltaPoint = { x: xw & 0x3fff, y: yw & 0x3fff };
      if (ansi && xw >>> 14) p.xReserved = xw >>> 14;
      if (yw >>> 14) p.yReserved = yw >>> 14;
      checkInside(ctx, p.x, facts.width, at, `${which} x`);
      checkInside(ctx, p.y, facts.height, at + 2, `${which} y`);
      if (pointType === ANGLE_FLAG) {
        const angles = Array.from({ length: which === 'core' ? 1 : 3 }, () => {
          const a = r.u8(`${which} angle`);
          if (a > maxAngle(traits)) ctx.tolerate(`${which} angle ${a} exceeds ${maxAngle(traits)}`, r.pos - 1, `${which} angle`);
          return a;
        });
        if (which === 'core') p.angle = angles[0];
        else p.angles = angles as [number, number, number];
      }
      if (which === 'core') block.cores.push(p as CorePoint);
      else block.deltas.push(p as DeltaPoint);
    }
  }
  if (r.remaining > 0) {
    throw templateError('TEMPLATE_LENGTH_MISMATCH', `${r.remaining} byte(s) after the last delta`, r.pos, 'core/delta data');
  }
  return block;
}

function decodeZonalQuality(r: ByteReader, _t: FormatTraits, _ctx: ParseContext, facts: ViewFacts): ZonalQualityBlock {
  const at = r.pos;
  const zoneWidth = r.u8('zone width');
  const zoneHeight = r.u8('zone height');
  const bitsPerZone = r.u8('bits per zone');
  if (zoneWidth === 0 || zoneHeight === 0) throw templateError('TEMPLATE_INVALID_FIELD', 'zone size must be non-zero', at, 'zone width');
  if (bitsPerZone < 1 || bitsPerZone > 8) throw templateError('TEMPLATE_INVALID_FIELD', `bits per zone ${bitsPerZone} is not 1..8`, at + 2, 'bits per zone');
  if (facts.width > 0 && facts.height > 0) {
    const zones = Math.ceil(facts.width / zoneWidth) * Math.ceil(facts.height / zoneHeight);
    const expected = Math.ceil((zones * bitsPerZone) / 8);
    if (expected !== r.remaining) {
      throw templateError('TEMPLATE_LENGTH_MISMATCH', `${zones} zones of ${bitsPerZone} bit(s) need ${expected} bytes, block has ${r.remaining}`, r.pos, 'zonal quality data');
    }
  }
  return { kind: 'zonal-quality', zoneWidth, zoneHeight, bitsPerZone, packed: r.bytes(r.remaining, 'zonal quality data') };
}

// ---- writing ----

export function writeExtendedData(w: ByteWriter, blocks: ExtendedBlock[], traits: FormatTraits): void {
  const lengthAt = w.length;
  w.u16(0, 'extended data length');
  for (const b of blocks) {
    const typeCode = b.kind === 'raw' ? b.typeCode
      : b.kind === 'ridge-counts' ? BLOCK_RIDGE_COUNTS : b.kind === 'core-delta' ? BLOCK_CORE_DELTA : BLOCK_ZONAL_QUALITY;
    w.u16(typeCode, 'extended data type');
    const blockLengthAt = w.length;
    w.u16(0, 'extended data block length');
    const dataStart = w.length;
    if (b.kind === 'raw') w.bytes(b.data);
    else if (b.kind === 'ridge-counts') writeRidgeCounts(w, b);
    else if (b.kind === 'core-delta') writeCoreDelta(w, b, traits);
    else writeZonalQuality(w, b);
    const dataLength = w.length - dataStart;
    w.patchU16(blockLengthAt, traits.blockLengthIncludesHeader ? dataLength + BLOCK_HEADER_BYTES : dataLength, 'extended data block length');
  }
  w.patchU16(lengthAt, w.length - lengthAt - 2, 'extended data length');
}

function writeRidgeCounts(w: ByteWriter, b: RidgeCountBlock): void {
  w.u8(b.method, 'ridge count extraction method');
  for (const e of b.edges) {
    w.u8(e.from, 'ridge count index');
    w.u8(e.to, 'ridge count index');
    w.u8(e.count, 'ridge count');
  }
  if (b.trailing) w.bytes(b.trailing);
}

function writeCoreDelta(w: ByteWriter, b: CoreDeltaBlock, traits: FormatTraits): void {
  const ansi = traits.coreDeltaStyle === 'ansi';
  const lists = [
    { which: 'core', points: b.cores, kept: b.coreInfoReserved ?? 0, mask: ansi ? ANSI_CORE_COUNT_MASK : ISO_COUNT_MASK },
    { which: 'delta', points: b.deltas, kept: b.deltaInfoReserved ?? 0, mask: ansi ? ANSI_DELTA_COUNT_MASK : ISO_COUNT_MASK },
  ] as const;
  for (const { which, points, kept, mask } of lists) {
    if (points.length > mask) throw templateError('TEMPLATE_INVALID_FIELD', `at most ${mask} ${which}s fit, got ${points.length}`, w.length, `${which} information`);
    const hasAngle = (p: CorePoint | DeltaPoint) => ('angle' in p && p.angle !== undefined) || ('angles' in p && p.angles !== undefined);
    const withAngles = points.filter(hasAngle).length;
    if (ansi && withAngles !== 0 && withAngles !== points.length) {
      throw templateError('TEMPLATE_INVALID_FIELD', `ANSI ${which}s carry angles for all points or none`, w.length, `${which} angle`);
    }
    const typeBits = ansi && withAngles > 0 ? ANGLE_FLAG << 6 : 0;
    // ANSI type bits come from the points when there are any; kept bits only fill the rest.
    const keptBits = ansi && points.length > 0 ? kept & 0x30 & ~mask : kept & ~mask & 0xff;
    w.u8(typeBits | keptBits | points.length, `${which} information`);
    for (const p of points) {
      const flag = ansi ? (p.xReserved ?? 0) : hasAngle(p) ? ANGLE_FLAG : 0;
      w.u16((flag << 14) | bits14(p.x, w, `${which} x`), `${which} x`);
      w.u16(((p.yReserved ?? 0) << 14) | bits14(p.y, w, `${which} y`), `${which} y`);
      if ('angle' in p && p.angle !== undefined) w.u8(p.angle, 'core angle');
      if ('angles' in p && p.angles !== undefined) for (const a of p.angles) w.u8(a, 'delta angle');
    }
  }
}

function writeZonalQuality(w: ByteWriter, b: ZonalQualityBlock): void {
  w.u8(b.zoneWidth, 'zone width');
  w.u8(b.zoneHeight, 'zone height');
  w.u8(b.bitsPerZone, 'bits per zone');
  w.bytes(b.packed);
}
