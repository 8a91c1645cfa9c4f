// Error helpers shared by the codecs: every client-facing failure is an AppError whose details say
// where (byte offset) and what (field) went wrong.
import { AppError, type ErrorCode } from '../../errors.ts';

export type TemplateErrorCode = Extract<ErrorCode, `TEMPLATE_${string}`>;

export function templateError(
  code: TemplateErrorCode, message: string, offset: number, field: string, extra?: Record<string, unknown>,
): AppError {
  return new AppError(code, `${message} (offset ${offset}, field "${field}")`, { offset, field, ...extra });
}

/**
 * Per-parse validation context. `tolerate` is for the minor nonconformities the lenient parser
 * accepts (recorded as warnings); anything else throws in both modes.
 */
export class ParseContext {
  readonly warnings: string[] = [];
  constructor(readonly lenient: boolean) {}

  tolerate(message: string, offset: number, field: string, code: TemplateErrorCode = 'TEMPLATE_INVALID_FIELD'): void {
    if (!this.lenient) throw templateError(code, message, offset, field);
    this.warnings.push(`${message} (offset ${offset}, field "${field}")`);
  }
}
