// Every failure of the codec is an AppError naming the record (index and type), field and byte offset.
import { AppError } from '../../errors.ts';

export type ItlErrorCode = 'ITL_MALFORMED' | 'ITL_TRUNCATED' | 'ITL_UNSUPPORTED';

export interface ItlErrorWhere {
  /** Index of the record in the transaction (0 = Type-1). */
  record?: number;
  recordType?: number;
  /** The field's tag as `T.NNN`, when one is concerned. */
  field?: string;
  /** Byte offset from the start of the transaction. */
  offset?: number;
}

export function itlError(code: ItlErrorCode, message: string, where: ItlErrorWhere = {}): AppError {
  const parts: string[] = [];
  if (where.record !== undefined) {
    parts.push(where.recordType !== undefined ? `record ${where.record} (Type-${where.recordType})` : `record ${where.record}`);
  }
  if (where.field !== undefined) parts.push(`field ${where.field}`);
  const prefix = parts.length ? `${parts.join(', ')}: ` : '';
  const suffix = where.offset !== undefined ? ` (byte offset ${where.offset})` : '';
  const details: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(where)) if (v !== undefined) details[k] = v;
  return new AppError(code, `${prefix}${message}${suffix}`, details);
}

/** Canonical spelling of a tag for messages: `10.011`. */
export const tagName = (type: number, field: number): string => `${type}.${String(field).padStart(3, '0')}`;
