// Every failure of the WSQ decoder is an AppError naming the field (marker segment and field) and
// the byte offset where the stream went wrong.
import { AppError } from '../../errors.ts';

export type WsqErrorCode = 'WSQ_MALFORMED' | 'WSQ_TRUNCATED' | 'IMAGE_TOO_MANY_PIXELS';

export function wsqError(code: WsqErrorCode, message: string, field: string, offset: number): AppError {
  return new AppError(code, `WSQ ${field}: ${message} (byte offset ${offset})`, { format: 'WSQ', field, offset });
}

/** Bounded big-endian reader: a read past the end is WSQ_TRUNCATED naming the field, never a RangeError. */
export class WsqReader {
  constructor(readonly buf: Uint8Array, public pos = 0, readonly end = buf.length) {}

  need(n: number, field: string): void {
    if (this.pos + n > this.end) {
      throw wsqError('WSQ_TRUNCATED', `stream ends at byte ${this.end} but ${n} byte(s) are needed`, field, this.pos);
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.pos++];
  }

  u16(field: string): number {
    this.need(2, field);
    const v = (this.buf[this.pos] << 8) | this.buf[this.pos + 1];
    this.pos += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const b = this.buf, p = this.pos;
    this.pos += 4;
    return ((b[p] << 24) >>> 0) + (b[p + 1] << 16) + (b[p + 2] << 8) + b[p + 3];
  }
}
