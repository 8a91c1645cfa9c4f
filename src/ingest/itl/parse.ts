// parseTransaction: bytes in, every length/count/separator checked, records out. Only AppError escapes.
import { isAppError } from '../../errors.ts';
import { readBinaryRecord } from './binary-read.ts';
import { itlError } from './errors.ts';
import { fieldText, findField } from './fields.ts';
import { validateImageRecord } from './image.ts';
import { MAX_TRANSACTION_BYTES } from './limits.ts';
import { BINARY_RECORD_TYPES } from './separators.ts';
import { readTaggedRecord } from './tagged-read.ts';
import { readContentList, TYPE1_MANDATORY } from './type1.ts';
import { readType9 } from './type9.ts';
import type { ItlRecord, ItlTransaction } from './types.ts';

/** Record types this codec interprets (others are kept raw with a note). */
const INTERPRETED_TYPES: ReadonlySet<number> = new Set([1, 2, 9, 10, 13, 14]);

/**
 * Parses a traditional-encoding transaction. Field values are views into `buf` (not copies):
 * do not reuse the buffer while the transaction is in use.
 */
export function parseTransaction(buf: Uint8Array): ItlTransaction {
  try {
    return parseUnchecked(buf);
  } catch (e) {
    if (isAppError(e)) throw e;
    // A bug of ours must still reach the client as a codec error, never as a crash.
    throw itlError('ITL_MALFORMED', `transaction could not be parsed (${e instanceof Error ? e.message : String(e)})`);
  }
}

function parseUnchecked(buf: Uint8Array): ItlTransaction {
  if (!(buf instanceof Uint8Array)) throw itlError('ITL_MALFORMED', 'transaction must be bytes');
  if (buf.length === 0) throw itlError('ITL_TRUNCATED', 'transaction is empty', { offset: 0 });
  if (buf.length > MAX_TRANSACTION_BYTES) {
    throw itlError('ITL_UNSUPPORTED', `transaction of ${buf.length} bytes exceeds the ${MAX_TRANSACTION_BYTES}-byte limit`, { offset: 0 });
  }
  const notes: string[] = [];
  const first = readTaggedRecord(buf, 0, 1, 0);
  const type1 = first.record;
  if (!findField(type1, 2)) throw itlError('ITL_MALFORMED', 'Type-1 record has no VER field (1.002)', { record: 0, recordType: 1, field: '1.002', offset: 0 });
  for (const [n, name] of TYPE1_MANDATORY) {
    if (!findField(type1, n)) notes.push(`record 0: mandatory Type-1 field 1.${String(n).padStart(3, '0')} ${name} is missing`);
  }
  const content = readContentList(type1);
  const records: ItlRecord[] = [type1];
  let pos = first.end;
  for (let i = 0; i < content.length; i++) {
    const index = i + 1;
    const { type, idc } = content[i];
    if (pos >= buf.length) {
      throw itlError('ITL_TRUNCATED', `CNT lists ${content.length} records after Type-1 but the transaction ends after ${i}`, { record: index, recordType: type, offset: pos });
    }
    const read = BINARY_RECORD_TYPES.has(type) ? readBinaryRecord(buf, pos, type, index) : readTaggedRecord(buf, pos, type, index);
    const record = read.record;
    const declaredIdc = Number(idc);
    if (record.kind === 'binary') {
      if (record.idc !== declaredIdc) {
        throw itlError('ITL_MALFORMED', `IDC ${record.idc} differs from the CNT entry's IDC ${idc}`, { record: index, recordType: type, offset: pos + 4 });
      }
      notes.push(`record ${index}: Type-${type} binary record skipped`);
    } else {
      const idcText = fieldText(record, 2);
      const tag = `${type}.002`;
      if (idcText === undefined) throw itlError('ITL_MALFORMED', 'record has no IDC field', { record: index, recordType: type, field: tag, offset: pos });
      if (!/^\d{1,3}$/.test(idcText) || Number(idcText) !== declaredIdc) {
        throw itlError('ITL_MALFORMED', `IDC "${idcText}" differs from the CNT entry's IDC ${idc}`, { record: index, recordType: type, field: tag, offset: pos });
      }
      if (type === 10 || type === 13 || type === 14) validateImageRecord(record, index, notes);
      if (type === 9 && readType9(record, index).efs.length > 0) notes.push(`record ${index}: Type-9 EFS fields (9.300+) kept raw`);
      if (!INTERPRETED_TYPES.has(type)) notes.push(`record ${index}: Type-${type} record kept raw (not interpreted)`);
    }
    records.push(record);
    pos = read.end;
  }
  if (pos !== buf.length) {
    throw itlError('ITL_MALFORMED', `${buf.length - pos} bytes follow the last record listed in CNT (${content.length} records)`, { record: content.length + 1, offset: pos });
  }
  return { records, notes };
}
