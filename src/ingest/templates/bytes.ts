// Bounded big-endian reader and writer. Every read checks its bounds first, so a short or lying
// record ends in an AppError naming the byte offset and the field, never a RangeError.
import { templateError } from './fail.ts';

export class ByteReader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    /** Reads past this offset are truncation (the end of the buffer or of an enclosing block). */
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws TEMPLATE_TRUNCATED unless n more bytes are there. */
  need(n: number, field: string): void {
    if (n > this.remaining) {
      throw templateError('TEMPLATE_TRUNCATED',
        `record ends at byte ${this.end} but ${field} needs ${n} byte(s) from offset ${this.pos}`,
        this.end, field, { needed: n, available: this.remaining });
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
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return b[p] * 0x1000000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
  }

  bytes(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/** Growing big-endian writer; values that do not fit their field are TEMPLATE_INVALID_FIELD. */
export class ByteWriter {
  private buf = new Uint8Array(256);
  length = 0;

  private grow(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  private check(v: number, max: number, field: string): void {
    if (!Number.isInteger(v) || v < 0 || v > max) {
      throw templateError('TEMPLATE_INVALID_FIELD', `${field} must be an integer 0..${max}, got ${v}`,
        this.length, field);
    }
  }

  u8(v: number, field: string): void {
    this.check(v, 0xff, field);
    this.grow(1);
    this.buf[this.length++] = v;
  }

  u16(v: number, field: string): void {
    this.check(v, 0xffff, field);
    this.grow(2);
    this.buf[this.length++] = v >>> 8;
    this.buf[this.length++] = v & 0xff;
  }

  u32(v: number, field: string): void {
    this.check(v, 0xffffffff, field);
    this.grow(4);
    this.buf[this.length++] = v >>> 24;
    this.buf[this.length++] = (v >>> 16) & 0xff;
    this.buf[this.length++] = (v >>> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
  }

  bytes(b: Uint8Array): void {
    this.grow(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** Overwrites a u32 written earlier (a length known only once its content is written). */
  patchU32(at: number, v: number, field: string): void {
    this.check(v, 0xffffffff, field);
    this.buf[at] = v >>> 24;
    this.buf[at + 1] = (v >>> 16) & 0xff;
    this.buf[at + 2] = (v >>> 8) & 0xff;
    this.buf[at + 3] = v & 0xff;
  }

  patchU16(at: number, v: number, field: string): void {
    this.check(v, 0xffff, field);
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v & 0xff;
  }

  toBytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
