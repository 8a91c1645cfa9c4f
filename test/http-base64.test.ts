// Strict base64 inside JSON bodies: what any client sends decodes to the same bytes, with or without a data: prefix,
// line breaks or spaces anywhere; anything else is refused with a 4xx code, wherever in the string the fault lies.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64 } from '../src/http/base64.ts';
import { isAppError } from '../src/errors.ts';

const code = (f: () => unknown): string | undefined => {
  try { f(); return undefined; } catch (e) { if (isAppError(e)) return e.code; throw e; }
};
const spaced = (s: string, at: number[], ws: string[]) => {
  let out = s;
  at.forEach((p, i) => { const k = p % (out.length + 1); out = out.slice(0, k) + ws[i % ws.length] + out.slice(k); });
  return out;
};

describe('decodeBase64', () => {
  it('decodes base64 and base64url, bare, with a data: prefix, and with whitespace anywhere', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 600 }), fc.boolean(), fc.boolean(), fc.array(fc.nat(), { maxLength: 6 }),
      (bytes, url, prefix, at) => {
        const enc = Buffer.from(bytes).toString(url ? 'base64url' : 'base64');
        const sent = (prefix ? 'data:image/jpeg;base64,' : '') + spaced(enc, at, ['\n', '\r\n', ' ', '\t']);
        expect(Buffer.from(decodeBase64('face', sent, 10_000))).toEqual(Buffer.from(bytes));
      }));
  });

  it('refuses a character outside the alphabet at any position (before and after whitespace) as VALIDATION_FAILED', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 600 }), fc.nat(), fc.constantFrom('@', '!', '*', '.', 'é', '='), fc.boolean(),
      (bytes, pos, bad, withSpace) => {
        const enc = Buffer.from(bytes).toString('base64').replace(/=+$/, '');
        const k = pos % (enc.length + 1);
        const broken = enc.slice(0, k) + bad + enc.slice(k) + (bad === '=' ? 'AAAA' : '');
        expect(code(() => decodeBase64('face', withSpace ? `\n${broken}` : broken, 10_000))).toBe('VALIDATION_FAILED');
      }));
  });

  it('refuses empty, impossible lengths and too large', () => {
    expect(code(() => decodeBase64('face', '', 100))).toBe('VALIDATION_FAILED');
    expect(code(() => decodeBase64('face', ' \n ', 100))).toBe('VALIDATION_FAILED');
    expect(code(() => decodeBase64('face', 'AAAAA', 100))).toBe('VALIDATION_FAILED');
    expect(code(() => decodeBase64('face', Buffer.alloc(200).toString('base64'), 100))).toBe('PAYLOAD_TOO_LARGE');
  });
});
