// parseTemplate / encodeTemplate: dispatch on the detected format. Where a version string is
// shared by two formats and the detected reading fails, the other reading is tried before the
// first error is reported.
import { AppError, isAppError } from '../../errors.ts';
import { parseAnsi2004, encodeAnsi2004 } from './ansi-2004.ts';
import { parseAnsi2009, encodeAnsi2009 } from './ansi-2009.ts';
import { candidates, detectByHeader, versionOf } from './detect.ts';
import { templateError } from './fail.ts';
import { encodeIso2005, parseIso2005 } from './iso-2005.ts';
import { encodeIso2011, parseIso2011 } from './iso-2011.ts';
import type { ParsedTemplate, ParseOptions, TemplateFormat } from './types.ts';

function parseAs(format: TemplateFormat, buf: Uint8Array, lenient: boolean): ParsedTemplate {
  const version = versionOf(buf);
  switch (format) {
    case 'iso-19794-2:2005': return parseIso2005(buf, version, lenient);
    case 'iso-19794-2:2011': return parseIso2011(buf, version, lenient);
    case 'ansi-378:2004': return parseAnsi2004(buf, version, lenient);
    case 'ansi-378:2009': case 'ansi-378:2009am1': return parseAnsi2009(buf, format, version, lenient);
  }
}

/**
 * Parses a finger minutiae record strictly (or, with `{ lenient: true }`, tolerating the minor
 * nonconformities listed in README.md). Throws AppError TEMPLATE_* with details {offset, field}.
 */
export function parseTemplate(buf: Uint8Array, options: ParseOptions = {}): ParsedTemplate {
  return guard(() => {
    const detected = detectByHeader(buf);
    const lenient = options.lenient === true;
    // When every reading fails, the detected one's error is the one that describes the record.
    let first: AppError | undefined;
    for (const format of candidates(buf, detected)) {
      try {
        return parseAs(format, buf, lenient);
      } catch (e) {
        if (!isAppError(e)) throw e;
        first ??= e;
      }
    }
    throw first;
  });
}

/**
 * The record's format, from its header. Where a version string is shared (" 20\0": ISO 2005 or
 * ANSI 2004; "030\0": ISO 2011 or ANSI 2009) and the header's answer does not parse while the other
 * reading does, the other reading is the answer, so detectFormat always agrees with parseTemplate.
 * Throws TEMPLATE_UNKNOWN_FORMAT (or TEMPLATE_TRUNCATED when too few bytes arrived to tell).
 */
export function detectFormat(buf: Uint8Array): TemplateFormat {
  return guard(() => {
    const detected = detectByHeader(buf);
    const all = candidates(buf, detected);
    if (all.length === 1) return detected;
    for (const format of all) {
      try {
        parseAs(format, buf, true);
        return format;
      } catch (e) {
        if (!isAppError(e)) throw e;
      }
    }
    return detected;
  });
}

/** Serialises a parsed (or hand-built) record; a parsed record comes back byte for byte. */
export function encodeTemplate(t: ParsedTemplate): Uint8Array {
  return guard(() => {
    switch (t.format) {
      case 'iso-19794-2:2005': return encodeIso2005(t);
      case 'iso-19794-2:2011': return encodeIso2011(t);
      case 'ansi-378:2004': return encodeAnsi2004(t);
      case 'ansi-378:2009': case 'ansi-378:2009am1': return encodeAnsi2009(t);
      default: throw templateError('TEMPLATE_UNKNOWN_FORMAT', `unknown template format ${String(t.format)}`, 0, 'format');
    }
  });
}

/**
 * Last line of defence for the "AppError only" contract: a non-AppError here is a bug in this
 * codec, reported as a client error marked internal (the fuzz tests assert it never happens).
 */
function guard<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isAppError(e)) throw e;
    throw new AppError('TEMPLATE_INVALID_FIELD', 'malformed template', { offset: -1, field: 'record', internal: true });
  }
}
