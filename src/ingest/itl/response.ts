// The answer to a check as an ANSI/NIST-ITL transaction: Type-1 plus one Type-2 holding the decision
// and the candidate list in user-defined fields (documented in docs/itl.md):
//   2.900 BCI check id · 2.901 BCD decision · 2.902 BCN candidate count ·
//   2.903 BCL candidates (one subfield each: rank, handle, watchlist, score, reference, name) ·
//   2.904 BCV layout version of these fields.
import { textField } from './fields.ts';
import type { ItlField, ItlTransaction } from './types.ts';

export const RESPONSE_FIELDS = { CHECK_ID: 900, DECISION: 901, CANDIDATE_COUNT: 902, CANDIDATES: 903, LAYOUT_VERSION: 904 } as const;
export const RESPONSE_LAYOUT_VERSION = '1';
/** VER 0500: ANSI/NIST-ITL 1-2011. */
export const DEFAULT_VERSION = '0500';
/** TOT of a response when the caller names none: SRE (submission results — electronic). */
export const DEFAULT_RESPONSE_TOT = 'SRE';

export interface CheckResponseCandidate {
  handle: string;
  watchlist: string;
  score: number;
  reference?: string;
  name?: string;
}

export interface CheckResponseInput {
  checkId: string;
  decision: string;
  candidates: CheckResponseCandidate[];
  originatingAgency: string;
  destinationAgency: string;
  transactionControlNumber: string;
  /** 1.010 TCR: the TCN of the request this answers. */
  transactionControlReference?: string;
  transactionType?: string;
  priority?: number;
  /** Defaults to now. */
  date?: Date;
  version?: string;
}

/** Separators and other control characters cannot appear in a text item: they become spaces. */
const clean = (s: string | undefined): string => (s ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ');
const pad2 = (n: number): string => String(n).padStart(2, '0');
const formatScore = (s: number): string => (Number.isFinite(s) ? s.toFixed(4) : '0.0000');

export function buildCheckResponseTransaction(input: CheckResponseInput): ItlTransaction {
  const d = input.date ?? new Date();
  const dat = `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}`;
  const gmt = `${dat}${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(d.getUTCSeconds())}Z`;
  const candidates = input.candidates.map((c, i) => [
    String(i + 1), clean(c.handle), clean(c.watchlist), formatScore(c.score), clean(c.reference), clean(c.name),
  ]);
  const type2: ItlField[] = [
    textField(2, 2, '00'),
    textField(2, RESPONSE_FIELDS.CHECK_ID, clean(input.checkId)),
    textField(2, RESPONSE_FIELDS.DECISION, clean(input.decision)),
    textField(2, RESPONSE_FIELDS.CANDIDATE_COUNT, String(candidates.length)),
    ...(candidates.length ? [textField(2, RESPONSE_FIELDS.CANDIDATES, candidates)] : []),
    textField(2, RESPONSE_FIELDS.LAYOUT_VERSION, RESPONSE_LAYOUT_VERSION),
  ];
  // Non-ASCII text (names) is UTF-8: say so in 1.015 DCS (character set index 3).
  const needsUtf8 = type2.some((f) => f.value.some((b) => b >= 0x80));
  const type1: ItlField[] = [
    textField(1, 2, input.version ?? DEFAULT_VERSION),
    textField(1, 4, clean(input.transactionType ?? DEFAULT_RESPONSE_TOT)),
    textField(1, 5, dat),
    ...(input.priority !== undefined ? [textField(1, 6, String(input.priority))] : []),
    textField(1, 7, clean(input.destinationAgency)),
    textField(1, 8, clean(input.originatingAgency)),
    textField(1, 9, clean(input.transactionControlNumber)),
    ...(input.transactionControlReference !== undefined ? [textField(1, 10, clean(input.transactionControlReference))] : []),
    textField(1, 11, '00.00'),
    textField(1, 12, '00.00'),
    textField(1, 14, gmt),
    ...(needsUtf8 ? [textField(1, 15, [['3', 'UTF-8']])] : []),
  ];
  // LEN (x.001) and CNT (1.003) are computed by writeTransaction.
  return {
    records: [{ kind: 'tagged', type: 1, fields: type1 }, { kind: 'tagged', type: 2, fields: type2 }],
    notes: [],
  };
}
