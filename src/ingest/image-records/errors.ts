// Every failure of a finger image record names the field and its byte offset; a read past the end of
// the record (or of an enclosing representation) is IMAGE_RECORD_TRUNCATED.
import { AppError } from '../../errors.ts';
import { ByteReader } from '../templates/bytes.ts';

export type RecordErrorCode = 'IMAGE_RECORD_MALFORMED' | 'IMAGE_RECORD_TRUNCATED';

export const recordError = (code: RecordErrorCode, message: string, field: string, offset: number): AppError =>
  new AppError(code, `finger image record, field ${field}: ${message} (byte offset ${offset})`, { field, offset });

/** A read the standard allows but this service does not decode: 415, naming the field. */
export const recordUnsupported = (message: string, field: string, offset: number): AppError =>
  new AppError('IMAGE_UNSUPPORTED_FORMAT', message, { field, offset });

/** The templates' bounded big-endian reader, a read past its end reported as IMAGE_RECORD_TRUNCATED. */
export class RecordReader extends ByteReader {
  override need(n: number, field: string): void {
    if (n > this.remaining) {
      throw recordError('IMAGE_RECORD_TRUNCATED', `${field} needs ${n} byte(s) but the record ends at byte ${this.end}`, field, this.pos);
    }
  }
}
