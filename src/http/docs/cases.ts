// Cases for examiners.
import { Type } from '@sinclair/typebox';
import { Candidate, Decision, example, IsoTime, Nullable, UuidString, type OperationDocs } from './common.ts';

const Status = Type.Union([Type.Literal('pending'), Type.Literal('closed')]);
const Outcome = Nullable(Type.Union([Type.Literal('confirmed'), Type.Literal('rejected')]));
const CaseCandidate = Type.Composite([Candidate, Type.Object({
  note: Nullable(Type.String()),
  matched: Type.Array(Type.Object({
    sampleId: Type.Integer(), modality: Type.String(), score: Type.Number(), probe: Type.Optional(Type.Integer()),
    position: Nullable(Type.Integer()), format: Nullable(Type.String()), source: Nullable(Type.String({ description: 'base64 enrolled image or template' })),
  }), { description: 'the enrolled samples that matched; empty where the identity is withheld' }),
})]);
const candidate = {
  subjectId: example.subjectId, handle: example.handle, watchlist: 'fr-wanted', agency: 'FR', score: 9.4312, scores: { face: 6.1024, finger: 5.2871 },
  level: 'hit', reference: 'FR-2026-004211', name: 'Jean Martin', outcome: null, note: null,
  matched: [{ sampleId: 48213, modality: 'face', score: 6.1024, position: null, format: 'image/jpeg', source: example.faceBase64 }],
};

export const caseDocs: OperationDocs = {
  'GET /v1/cases': {
    summary: 'Cases to review',
    description: 'Cases opened by `hit` and `review` checks of the caller\'s agency (admins: all), newest first; `status` pending '
      + 'or closed, `decision` (hit, review), `watchlist` (of a hit/review candidate), `limit` 1..500 (default 100), `offset`. Each case '
      + 'carries its hit/review watchlists and best score. `undecided` counts hit/review candidates without a decision. Examiner or admin. '
      + 'Audited as `case.list`.',
    parameterExamples: { status: 'pending', limit: '50' },
    responses: {
      200: {
        description: 'the cases',
        schema: Type.Object({ cases: Type.Array(Type.Object({
          id: UuidString, checkId: UuidString, status: Status, outcome: Outcome, decision: Decision, agency: Type.String(),
          candidates: Type.Integer({ minimum: 0 }), undecided: Type.Integer({ minimum: 0 }), createdAt: IsoTime,
          bestScore: Nullable(Type.Number()), watchlists: Type.Array(Type.String()),
        })) }),
        example: { cases: [{ id: example.caseId, checkId: example.checkId, status: 'pending', outcome: null, decision: 'hit', agency: 'PT', candidates: 2, undecided: 1, createdAt: example.time, bestScore: 9.4312, watchlists: ['fr-wanted'] }] },
      },
    },
    errors: [],
  },
  'GET /v1/cases/{id}': {
    summary: 'A case: the probe, the candidates, the enrolled samples they matched, the decisions',
    description: 'Everything an examiner needs to decide: the probe (images/templates of the check), each candidate with its scores '
      + 'and, where the identity is visible to the caller, the enrolled samples it matched; the decisions so far. Cases of other '
      + 'agencies answer 404. Examiner or admin. Audited as `case.read`.',
    parameterExamples: { id: example.caseId },
    responses: {
      200: {
        description: 'the case',
        schema: Type.Object({
          id: UuidString, checkId: UuidString, status: Status, outcome: Outcome, agency: Type.String(), version: Type.Integer({ description: 'grows with each decision' }),
          createdAt: IsoTime, closedAt: Nullable(IsoTime),
          probe: Type.Array(Type.Object({ modality: Type.String(), position: Nullable(Type.Integer()), format: Type.String(), data: Type.String({ description: 'base64' }) })),
          candidates: Type.Array(CaseCandidate),
          decisions: Type.Array(Type.Object({ candidate: Type.String(), outcome: Type.String(), note: Nullable(Type.String()), agency: Type.String(), at: IsoTime })),
        }),
        example: { id: example.caseId, checkId: example.checkId, status: 'pending', outcome: null, agency: 'PT', version: 1, createdAt: example.time, closedAt: null,
          probe: [{ modality: 'face', position: null, format: 'image', data: example.faceBase64 }], candidates: [candidate], decisions: [] },
      },
    },
    errors: ['CASE_NOT_FOUND'],
  },
  'POST /v1/cases/{id}/decisions': {
    summary: 'Record an examiner decision on one candidate',
    description: 'Records `confirmed`, `rejected` or `inconclusive` for one candidate (by its handle). Decisions on one case are serialised: two examiners deciding '
      + 'at once both land, in order. A closed case answers 409 `CASE_CLOSED`. Examiner or admin. Audited as `case.decide`.',
    parameterExamples: { id: example.caseId },
    requestExample: { candidate: example.handle, outcome: 'confirmed', note: 'Face and right index finger agree; scar on left cheek matches notice.' },
    responses: {
      201: { description: 'recorded', schema: Type.Object({ caseId: UuidString, candidate: Type.String(), outcome: Type.String(), version: Type.Integer() }),
        example: { caseId: example.caseId, candidate: example.handle, outcome: 'confirmed', version: 2 } },
    },
    errors: ['CASE_NOT_FOUND', 'CASE_CLOSED', 'NOT_FOUND'], kind: { body: true },
  },
  'POST /v1/cases/{id}/close': {
    summary: 'Close a case: confirmed if any candidate was confirmed, else rejected',
    description: 'Closes a case once every hit/review candidate has a decision (else 409 `CONFLICT`); the kiosk\'s '
      + '`GET /v1/checks/{id}` then shows the outcome. The body (an optional note) may be left out. Examiner or admin. '
      + 'Audited as `case.close`.',
    parameterExamples: { id: example.caseId },
    requestExample: { note: 'Subject detained at gate 4; handed to border police.' },
    responses: {
      200: { description: 'closed', schema: Type.Object({ id: UuidString, status: Type.Literal('closed'), outcome: Type.Union([Type.Literal('confirmed'), Type.Literal('rejected')]) }),
        example: { id: example.caseId, status: 'closed', outcome: 'confirmed' } },
    },
    errors: ['CASE_NOT_FOUND', 'CASE_CLOSED', 'CONFLICT'], kind: { body: true },
  },
};
