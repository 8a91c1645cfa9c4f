// Every size limit of the ANSI/NIST-ITL codec, in one place. A transaction that passes them can
// still be refused by the HTTP layer's own body limit; these guard the parser itself.

/** Whole transaction, bytes. */
export const MAX_TRANSACTION_BYTES = 128 * 1024 * 1024;
/** Records after the Type-1 record (the CNT field's count). The standard allows at most 999. */
export const MAX_RECORDS = 999;
/** Fields in one tagged record. */
export const MAX_FIELDS_PER_RECORD = 2_000;
/** One text field's value, bytes (EFS ridge-quality maps are the largest legitimate ones). */
export const MAX_TEXT_FIELD_BYTES = 4 * 1024 * 1024;
/** One binary field (x.999 DATA) or binary record, bytes. */
export const MAX_BINARY_FIELD_BYTES = 64 * 1024 * 1024;
/** Digits in a LEN value: 9 digits already exceed MAX_TRANSACTION_BYTES. */
export const MAX_LEN_DIGITS = 10;
/** Digits in a tag's record-type part and field-number part (`1.001`, `10.999`, `1.1`). */
export const MAX_TAG_TYPE_DIGITS = 3;
export const MAX_TAG_FIELD_DIGITS = 4;
/** Minutiae accepted in one Type-9 record (INCITS 378 allows 255; EFS up to 999). */
export const MAX_MINUTIAE = 999;
/** Subfields accepted when splitting one field into subfields/items. */
export const MAX_SUBFIELDS = 100_000;
