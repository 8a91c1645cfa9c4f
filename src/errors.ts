// The one table of error codes. Every error the API returns is {"error": {"code", "message"}}
// with the status given here. Add a code here, once, before using it anywhere.

export const ERROR_CODES = {
  // Generic request problems
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  // Auth
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  // Resources
  WATCHLIST_NOT_FOUND: 404,
  WATCHLIST_EXISTS: 409,
  SUBJECT_NOT_FOUND: 404,
  SAMPLE_NOT_FOUND: 404,
  CASE_NOT_FOUND: 404,
  CHECK_NOT_FOUND: 404,
  KEY_NOT_FOUND: 404,
  AGENCY_MISMATCH: 403,
  CASE_CLOSED: 409,
  HIT_NOT_FOUND: 404,
  HIT_ALREADY_DISCLOSED: 409,
  CONNECTION_NOT_FOUND: 404,
  SCAN_NOT_FOUND: 404,
  SCAN_RUNNING: 409,
  // Fingerprint templates (ISO/IEC 19794-2, ANSI INCITS 378)
  TEMPLATE_UNKNOWN_FORMAT: 422,
  TEMPLATE_TRUNCATED: 422,
  TEMPLATE_LENGTH_MISMATCH: 422,
  TEMPLATE_INVALID_FIELD: 422,
  TEMPLATE_NO_MINUTIAE: 422,
  // ANSI/NIST-ITL transactions
  ITL_MALFORMED: 422,
  ITL_TRUNCATED: 422,
  ITL_UNSUPPORTED: 422,
  // Images
  IMAGE_UNDECODABLE: 422,
  IMAGE_UNSUPPORTED_FORMAT: 415,
  IMAGE_TOO_LARGE: 413,
  IMAGE_TOO_MANY_PIXELS: 413,
  WSQ_MALFORMED: 422,
  WSQ_TRUNCATED: 422,
  IMAGE_RECORD_MALFORMED: 422,
  IMAGE_RECORD_TRUNCATED: 422,
  FACE_NOT_FOUND: 422,
  FACE_MULTIPLE: 422,
  FACE_QUALITY_TOO_LOW: 422,
  PRESENTATION_ATTACK: 422,
  // Capacity and dependencies
  OVERLOADED: 503,
  QUEUE_FULL: 429,
  DATABASE_UNAVAILABLE: 503,
  NOT_READY: 503,
  MODEL_UNAVAILABLE: 503,
  SHARDS_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Safe, client-facing details (never stack traces, paths or withheld identities). */
    readonly details?: Record<string, unknown>,
    /** Seconds, for 429/503 answers. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERROR_CODES[code];
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
