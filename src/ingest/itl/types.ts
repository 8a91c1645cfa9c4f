// The in-memory form of an ANSI/NIST-ITL transaction (traditional encoding).
// Values are kept as the exact bytes read so that an untouched transaction writes back byte for byte.

/** One tagged field: `T.FFF:value`. */
export interface ItlField {
  /** The tag as spelled in the source, without the colon: `1.001`, `1.01`, `1.1`, `10.999`. */
  tag: string;
  /** Field number parsed from the tag (1..999). */
  number: number;
  /** The value's bytes: text (subfields split by RS, items by US) or, for field 999, binary data. */
  value: Uint8Array;
}

/** A record made of tagged fields and ended by FS (Types 1, 2, 9, 10, 13, 14 and every other tagged type). */
export interface ItlTaggedRecord {
  kind: 'tagged';
  type: number;
  fields: ItlField[];
  /**
   * The record was read with an empty field before its FS (`...value<GS><FS>`): some writers
   * leave one. Kept so that the record writes back as it was read; new records leave it unset.
   */
  trailingSeparator?: boolean;
  /** Where the record began in the parsed transaction (informative; ignored by the writer). */
  offset?: number;
}

/** A legacy binary record (Types 3–8): 4-byte big-endian length, then fixed binary fields. Kept whole. */
export interface ItlBinaryRecord {
  kind: 'binary';
  type: number;
  /** IDC: the record's fifth byte. */
  idc: number;
  /** The record's exact bytes, length prefix included. */
  raw: Uint8Array;
  offset?: number;
}

export type ItlRecord = ItlTaggedRecord | ItlBinaryRecord;

export interface ItlTransaction {
  /** records[0] is the Type-1 record; the others follow in the order of its CNT field. */
  records: ItlRecord[];
  /** What the parser skipped or could not interpret, one line each (`record 3: Type-4 binary record skipped`). */
  notes: string[];
}

/** One entry of the Type-1 CNT field. */
export interface ItlContentEntry {
  type: number;
  /** IDC as spelled (`00`, `1`). */
  idc: string;
}
