// Every failure of the WSQ decoder is an AppError naming the field (marker segment and field) and
// the byte offset where the stream went wrong.
import { AppError } from '../../errors.ts';
import { ByteReader } from '../templates/bytes.ts';

export type WsqErrorCode = 'WSQ_MALFORMED' | 'WSQ_TRUNCATED' | 'IMAGE_TOO_MANY_PIXELS';

export function wsqError(code: WsqErrorCode, message: string, field: string, offset: number): AppError {
  return new AppError(code, `WSQ ${field}: ${message} (byte offset ${offset})`, { format: 'WSQ', field, offset });
}

/** The templates' bounded big-endian reader, with a read past the end reported as WSQ_TRUNCATED naming the field. */
export class WsqReader extends ByteReader {
  override need(n: number, field: string): void {
    if (n > this.remaining) {
      throw wsqError('WSQ_TRUNCATED', `stream ends at byte ${this.end} but ${n} byte(s) are needed`, field, this.pos);
    }
  }
}
