// ISO/IEC 19794-4:2011 finger image records ("FIR\0" "020\0"): a 16-byte general header (record length
// 4 bytes, number of representations 2, certification flag 1, number of distinct positions 1), then per
// representation: its length (4), capture date and time (9), capture device technology (1), vendor (2)
// and type (2), quality blocks (a count, 5 bytes each), certification blocks (a count, 3 bytes each,
// only when the certification flag is 1), position, representation number, scale units, capture and
// image sampling rates (2 x 2 each), bit depth, compression (Table 9: 0 raw, 1 bit-packed, 2 WSQ,
// 3 JPEG, 4 JPEG 2000 lossy, 5 JPEG 2000 lossless, 6 PNG), impression type, line lengths (2 each), the
// image data length (4) and the image; extended data blocks may follow the image inside the
// representation and are skipped.
import { recordError, RecordReader, recordUnsupported } from './errors.ts';
import type { FingerImageRecord, FingerImageView, ViewCompression } from './types.ts';
import { MAX_SIDE, MAX_VIEWS } from './types.ts';

const GENERAL_HEADER = 16;
/** A representation's fixed part: everything but the quality and certification blocks and the image. */
const REPRESENTATION_FIXED = 4 + 9 + 1 + 2 + 2 + 1 + 1 + 1 + 1 + 2 * 4 + 1 + 1 + 1 + 2 * 2 + 4;
const COMPRESSION: Record<number, ViewCompression | 'packed'> = { 0: 'raw', 1: 'packed', 2: 'wsq', 3: 'jpeg', 4: 'jp2', 5: 'jp2', 6: 'png' };

export interface QualityBlock { score: number; vendor: number; algorithm: number }

export interface FingerImageView2011 extends FingerImageView {
  /** Quality blocks as recorded (score 0..100, 255 = failed to compute). */
  qualityBlocks: QualityBlock[];
}

export function parseIso2011(b: Uint8Array): FingerImageRecord {
  const top = new RecordReader(b);
  top.pos = 8;
  const length = top.u32('record_length');
  if (length > b.length) throw recordError('IMAGE_RECORD_TRUNCATED', `record declares ${length} bytes but ${b.length} arrived`, 'record_length', 8);
  if (length < GENERAL_HEADER + REPRESENTATION_FIXED) throw recordError('IMAGE_RECORD_MALFORMED', `record length ${length} is shorter than one header and one representation`, 'record_length', 8);
  const r = new RecordReader(b, 12, length);
  const count = r.u16('number_of_representations');
  if (count < 1 || count > MAX_VIEWS) throw recordError('IMAGE_RECORD_MALFORMED', `${count} representations; 1..${MAX_VIEWS} are read`, 'number_of_representations', 12);
  const certified = r.u8('certification_flag');
  if (certified > 1) throw recordError('IMAGE_RECORD_MALFORMED', `certification flag ${certified} is not 0 or 1`, 'certification_flag', 14);
  r.u8('number_of_distinct_finger_positions');
  const views: FingerImageView2011[] = [];
  for (let i = 0; i < count; i++) views.push(readRepresentation(r, i, certified === 1));
  if (r.pos !== length) throw recordError('IMAGE_RECORD_MALFORMED', `${length - r.pos} byte(s) after the last representation`, 'record_length', 8);
  return { standard: 'ISO/IEC 19794-4:2011', views };
}

function readRepresentation(r: RecordReader, i: number, certified: boolean): FingerImageView2011 {
  const at = r.pos;
  const f = (name: string) => `representation[${i}].${name}`;
  const repLength = r.u32(f('representation_length'));
  if (repLength < REPRESENTATION_FIXED || repLength > r.end - at) {
    throw recordError(repLength > r.end - at ? 'IMAGE_RECORD_TRUNCATED' : 'IMAGE_RECORD_MALFORMED',
      `representation declares ${repLength} bytes; ${r.end - at} remain and at least ${REPRESENTATION_FIXED} are needed`, f('representation_length'), at);
  }
  const rep = new RecordReader(r.buf, r.pos, at + repLength);
  rep.bytes(9, f('capture_date_time'));
  rep.u8(f('capture_device_technology')); rep.u16(f('capture_device_vendor')); rep.u16(f('capture_device_type'));
  const nq = rep.u8(f('number_of_quality_blocks'));
  const qualityBlocks: QualityBlock[] = [];
  for (let q = 0; q < nq; q++) {
    const score = rep.u8(f(`quality_block[${q}].score`));
    if (score > 100 && score !== 255) throw recordError('IMAGE_RECORD_MALFORMED', `quality score ${score} is not 0..100 or 255`, f(`quality_block[${q}].score`), rep.pos - 1);
    qualityBlocks.push({ score, vendor: rep.u16(f(`quality_block[${q}].vendor`)), algorithm: rep.u16(f(`quality_block[${q}].algorithm`)) });
  }
  if (certified) {
    const nc = rep.u8(f('number_of_certification_blocks'));
    rep.bytes(3 * nc, f('certification_blocks'));
  }
  const posAt = rep.pos;
  const position = rep.u8(f('finger_position'));
  if (position > 10) throw recordUnsupported(`representation ${i} is finger position ${position} (multi-finger or palm): only single-finger views (0-10) are read`, f('finger_position'), posAt);
  const viewNumber = rep.u8(f('representation_number'));
  const unitsAt = rep.pos;
  const units = rep.u8(f('scale_units'));
  if (units !== 1 && units !== 2) throw recordError('IMAGE_RECORD_MALFORMED', `scale units ${units} is not 1 (ppi) or 2 (ppcm)`, f('scale_units'), unitsAt);
  const captureH = rep.u16(f('capture_sampling_rate_horizontal')); rep.u16(f('capture_sampling_rate_vertical'));
  const rateAt = rep.pos;
  const imageH = rep.u16(f('image_sampling_rate_horizontal')); rep.u16(f('image_sampling_rate_vertical'));
  const rate = imageH || captureH;
  if (rate === 0) throw recordError('IMAGE_RECORD_MALFORMED', 'image and capture sampling rates are both 0', f('image_sampling_rate_horizontal'), rateAt);
  const depthAt = rep.pos;
  const depth = rep.u8(f('bit_depth'));
  const compAt = rep.pos;
  const comp = rep.u8(f('compression_algorithm'));
  const compression = COMPRESSION[comp];
  if (compression === undefined) throw recordError('IMAGE_RECORD_MALFORMED', `compression code ${comp} is not 0-6`, f('compression_algorithm'), compAt);
  if (compression === 'packed' || (compression === 'raw' && depth !== 8)) {
    throw recordUnsupported(`uncompressed images at ${depth} bit(s) per pixel${compression === 'packed' ? ', bit-packed,' : ''} are not read; 8-bit grey is`, f('bit_depth'), depthAt);
  }
  const impressionType = rep.u8(f('impression_type'));
  const sizeAt = rep.pos;
  const width = rep.u16(f('horizontal_line_length')), height = rep.u16(f('vertical_line_length'));
  if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) throw recordError('IMAGE_RECORD_MALFORMED', `image size ${width}x${height} is outside 1..${MAX_SIDE}`, f('horizontal_line_length'), sizeAt);
  const dataLength = rep.u32(f('image_data_length'));
  const dataAt = rep.pos;
  if (dataLength > rep.remaining) throw recordError('IMAGE_RECORD_MALFORMED', `image data length ${dataLength} exceeds the ${rep.remaining} byte(s) left in the representation`, f('image_data_length'), dataAt - 4);
  const data = rep.buf.subarray(dataAt, dataAt + dataLength);
  if (compression === 'raw' && data.length !== width * height) {
    throw recordError('IMAGE_RECORD_MALFORMED', `uncompressed ${width}x${height} image needs ${width * height} bytes, found ${data.length}`, f('image_data'), dataAt);
  }
  r.pos = at + repLength; // extended data blocks (segmentation, annotation, comments) after the image are skipped
  return {
    position, viewNumber, quality: qualityBlocks.find((q) => q.score <= 100)?.score ?? 0, impressionType, width, height,
    ppi: units === 1 ? rate : Math.round(rate * 2.54), compression, data, offset: dataAt, qualityBlocks,
  };
}
