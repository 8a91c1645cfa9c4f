// Some profiles carry a binary INCITS 378 / ISO 19794-2 template inside a Type-9 record instead
// of (or beside) the tagged minutiae: raw in a binary field, or base64 in a text field.
import type { FingerMinutiae } from '../../finger/types.ts';
import { isAppError } from '../../errors.ts';
import { parseTemplate, toFingerMinutiae } from '../templates/index.ts';
import { itlError, type ItlErrorWhere } from './errors.ts';
import { textOf } from './fields.ts';
import { isIafis } from './type9-iafis.ts';
import type { ItlTaggedRecord } from './types.ts';

/** "FMR\0": the format identifier both INCITS 378 and ISO/IEC 19794-2 templates start with. */
const FMR_MAGIC = [0x46, 0x4d, 0x52, 0x00];
const MIN_TEMPLATE_BYTES = 26;
const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;

const hasMagic = (b: Uint8Array): boolean => b.length >= MIN_TEMPLATE_BYTES && FMR_MAGIC.every((v, i) => b[i] === v);
/** Fields that hold standard tagged content, never an embedded template. */
const isStandardField = (n: number): boolean => n <= 12 || isIafis(n) || (n >= 126 && n <= 150) || (n >= 300 && n <= 399);

export function findEmbeddedTemplate(record: ItlTaggedRecord): { tag: string; bytes: Uint8Array } | undefined {
  for (const f of record.fields) {
    if (isStandardField(f.number)) continue;
    if (hasMagic(f.value)) return { tag: f.tag, bytes: f.value };
    // base64 of "FMR\0" starts with "Rk1S"; only then is decoding worth it.
    if (f.value.length >= 36 && f.value[0] === 0x52 && f.value[1] === 0x6b && f.value[2] === 0x31 && f.value[3] === 0x53) {
      const text = textOf(f.value).replace(/\s+/g, '');
      if (text.length % 4 === 0 && BASE64_RE.test(text)) {
        const bytes = new Uint8Array(Buffer.from(text, 'base64'));
        if (hasMagic(bytes)) return { tag: f.tag, bytes };
      }
    }
  }
  return undefined;
}

/** A template can hold several finger views: the Type-9 record describes one finger, so the first view with minutiae. */
function decode(bytes: Uint8Array): FingerMinutiae {
  const views = toFingerMinutiae(parseTemplate(bytes));
  return views.find((v) => v.minutiae.length > 0) ?? views[0];
}

export function decodeEmbeddedTemplate(bytes: Uint8Array, where: ItlErrorWhere): FingerMinutiae {
  try {
    return decode(bytes);
  } catch (e) {
    const why = isAppError(e) ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
    throw itlError('ITL_MALFORMED', `embedded minutiae template is invalid (${why})`, where);
  }
}
