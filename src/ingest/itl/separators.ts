// The four information separators of the traditional encoding (ANSI/NIST-ITL 1-2011 Annex B).

/** File separator: ends every tagged record. */
export const FS = 0x1c;
/** Group separator: between fields. */
export const GS = 0x1d;
/** Record separator: between subfields. */
export const RS = 0x1e;
/** Unit separator: between information items. */
export const US = 0x1f;

export const FS_CHAR = '\x1c';
export const GS_CHAR = '\x1d';
export const RS_CHAR = '\x1e';
export const US_CHAR = '\x1f';

/** Record types whose records are binary (4-byte big-endian length first, no tags, no FS). */
export const BINARY_RECORD_TYPES: ReadonlySet<number> = new Set([3, 4, 5, 6, 7, 8]);
