// The owner's side of hit/no-hit sharing.
import { Type } from '@sinclair/typebox';
import { example, IsoTime, Level, Nullable, Score, Scores, UuidString, type OperationDocs } from './common.ts';

export const hitDocs: OperationDocs = {
  'GET /v1/hits': {
    summary: "Hits and reviews on the caller's agency's hit/no-hit watchlists found by other agencies",
    description: 'The owner agency sees who matched, for which requesting agency, and whether it disclosed yet; `status` pending '
      + 'or disclosed, `limit` 1..500. Examiner or admin (of the owner agency). Audited as `hit.list`.',
    parameterExamples: { status: 'pending' },
    responses: {
      200: {
        description: 'the hits',
        schema: Type.Object({ hits: Type.Array(Type.Object({
          handle: Type.String(), caseId: UuidString, requestingAgency: Type.String(), watchlist: Type.String(), subjectId: UuidString,
          reference: Nullable(Type.String()), name: Nullable(Type.String()), score: Score, scores: Scores, level: Level,
          disclosed: Type.Boolean(), disclosedAt: Nullable(IsoTime), createdAt: IsoTime,
        })) }),
        example: { hits: [{ handle: example.handle, caseId: example.caseId, requestingAgency: 'PT', watchlist: 'fr-wanted', subjectId: example.subjectId,
          reference: 'FR-2026-004211', name: 'Jean Martin', score: 9.4312, scores: { face: 6.1024, finger: 5.2871 }, level: 'hit', disclosed: false, disclosedAt: null, createdAt: example.time }] },
      },
    },
    errors: [],
  },
  'POST /v1/hits/{handle}/disclose': {
    summary: 'Disclose the identity behind a hit to the agency that ran the check',
    description: "After disclosure the requesting agency's case and check show the subject's identity and matched samples. "
      + 'Idempotent. To anyone but the owner agency (and admins) the handle does not exist (404). The body (an optional note) may '
      + 'be left out. Examiner or admin of the owner agency. Audited as `hit.disclose` (once).',
    parameterExamples: { handle: example.handle },
    requestExample: { note: 'Disclosed under the bilateral agreement FR-PT 2024/17.' },
    responses: { 200: { description: 'disclosed', schema: Type.Object({ handle: Type.String(), disclosed: Type.Literal(true) }), example: { handle: example.handle, disclosed: true } } },
    errors: ['NOT_FOUND'], kind: { body: true },
  },
};
