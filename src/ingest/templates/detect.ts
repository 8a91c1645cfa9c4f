// Which of the five formats a record is, from its header. Two version strings are shared:
// " 20\0" by ISO 2005 and ANSI 2004 (told apart by the width of the length field), and "030\0" by
// ISO 2011 and ANSI 2009 as printed (told apart by whether the ISO representation lengths chain up
// to the record length).
import { templateError } from './fail.ts';
import { ISO2011_MIN_REPRESENTATION_BYTES } from './iso-2011.ts';
import { HEADER_PREFIX_BYTES, MAGIC } from './record.ts';
import type { TemplateFormat } from './types.ts';

/** Smallest record length each reading of " 20\0" allows (ANSI 2004 header 26, ISO 2005 header 24). */
const ANSI2004_MIN_LENGTH = 26;
const ISO2005_MIN_LENGTH = 24;
const ISO2011_HEADER_BYTES = 15;

/** The format the header says; see detectFormat in codec.ts for the answer that also parses. */
export function detectByHeader(buf: Uint8Array): TemplateFormat {
  if (!(buf instanceof Uint8Array)) {
    throw templateError('TEMPLATE_UNKNOWN_FORMAT', 'template must be bytes', 0, 'format identifier');
  }
  for (let i = 0; i < MAGIC.length; i++) {
    if (i >= buf.length) throw templateError('TEMPLATE_TRUNCATED', `record ends after ${buf.length} byte(s)`, buf.length, 'format identifier');
    if (buf[i] !== MAGIC[i]) {
      throw templateError('TEMPLATE_UNKNOWN_FORMAT', 'not a finger minutiae record: it does not start with "FMR\\0"', 0, 'format identifier');
    }
  }
  if (buf.length < HEADER_PREFIX_BYTES) throw templateError('TEMPLATE_TRUNCATED', `record ends after ${buf.length} byte(s)`, buf.length, 'version');
  const version = versionOf(buf);
  switch (version) {
    case '020': return 'ansi-378:2004';
    case ' 20': return tellIso2005FromAnsi2004(buf);
    case '030': return tellIso2011FromAnsi2009(buf);
    case ' 30': return 'ansi-378:2009';
    case '035': case ' 35': return 'ansi-378:2009am1';
    default:
      throw templateError('TEMPLATE_UNKNOWN_FORMAT',
        `unsupported version ${JSON.stringify(String.fromCharCode(...buf.subarray(4, 8)))}`, 4, 'version');
  }
}

/** The three version characters, or '' when the fourth byte is not the terminating 0. */
export function versionOf(buf: Uint8Array): string {
  if (buf[7] !== 0) return '';
  return String.fromCharCode(buf[4], buf[5], buf[6]);
}

/** The formats a version string may mean, the detected one first. */
export function candidates(buf: Uint8Array, detected: TemplateFormat): TemplateFormat[] {
  const v = versionOf(buf);
  if (v === ' 20') return detected === 'iso-19794-2:2005' ? [detected, 'ansi-378:2004'] : [detected, 'iso-19794-2:2005'];
  if (v === '030') return detected === 'iso-19794-2:2011' ? [detected, 'ansi-378:2009'] : [detected, 'iso-19794-2:2011'];
  return [detected];
}

function u16(buf: Uint8Array, at: number): number {
  return (buf[at] << 8) | buf[at + 1];
}

function u32(buf: Uint8Array, at: number): number {
  return buf[at] * 0x1000000 + ((buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3]);
}

function tellIso2005FromAnsi2004(buf: Uint8Array): TemplateFormat {
  if (buf.length < HEADER_PREFIX_BYTES + 4) throw templateError('TEMPLATE_TRUNCATED', `record ends after ${buf.length} byte(s)`, buf.length, 'record length');
  const high = u16(buf, 8);
  // ANSI's 2-byte length is at least 26; ISO's 4-byte length has a zero top half below 64 KiB.
  if (high >= ANSI2004_MIN_LENGTH) return 'ansi-378:2004';
  if (high > 0) return 'iso-19794-2:2005';
  // Zero: ISO with a short record, or ANSI's escape to a 4-byte length (then at least 64 KiB).
  return u16(buf, 10) >= ISO2005_MIN_LENGTH ? 'iso-19794-2:2005' : 'ansi-378:2004';
}

/**
 * ISO 2011 when its representation lengths chain up to the record length (or stay consistent up to
 * where the buffer ends). A chain that breaks at the first link is ANSI 2009. One that breaks later
 * is a damaged ISO record unless the bytes also read as a plausible ANSI 2009 header.
 */
function tellIso2011FromAnsi2009(buf: Uint8Array): TemplateFormat {
  if (buf.length < ISO2011_HEADER_BYTES) throw templateError('TEMPLATE_TRUNCATED', `record ends after ${buf.length} byte(s)`, buf.length, 'record length');
  const total = u32(buf, 8);
  const count = u16(buf, 12);
  if (buf[14] > 1) return 'ansi-378:2009'; // the ISO certification flag is 0 or 1
  let pos = ISO2011_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (pos + 4 > buf.length) return 'iso-19794-2:2011'; // truncated, but consistent so far
    const length = u32(buf, pos);
    if (length < ISO2011_MIN_REPRESENTATION_BYTES || pos + length > total) {
      return i > 0 && !plausibleAnsi2009Header(buf) ? 'iso-19794-2:2011' : 'ansi-378:2009';
    }
    pos += length;
  }
  return pos === total ? 'iso-19794-2:2011' : 'ansi-378:2009';
}

/** ANSI 2009: certification byte 0x00/0x80 at 16, reserved 0 at 20, a defined finger position at 21. */
function plausibleAnsi2009Header(buf: Uint8Array): boolean {
  return (buf[16] === 0x00 || buf[16] === 0x80) && buf[20] === 0 && (buf.length <= 21 || buf[21] <= 50);
}
