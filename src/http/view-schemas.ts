// Response shapes of what checks, cases and hits show (for validation-free serialisation and the OpenAPI
// document). Objects allow further properties so that a field added by another layer is not dropped.
import { Type } from '@sinclair/typebox';

const Open = { additionalProperties: true } as const;
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const Scores = Type.Object({ face: Type.Optional(Type.Number()), finger: Type.Optional(Type.Number()) }, { ...Open, description: 'score per modality, on the same -log10(FMR) scale' });
export const HitStatusSchema = Type.Union([Type.Literal('pending'), Type.Literal('disclosed'), Type.Literal('declined')], {
  description: "the owner agency's decision on a hit against its hit/no-hit watchlist",
});

export const CandidateSchema = Type.Object({
  subjectId: Nullable(Type.String()),
  handle: Type.String({ description: 'opaque, per check and candidate; the only name of a withheld subject' }),
  watchlist: Type.String(), agency: Type.String({ description: 'the owner agency of the watchlist' }),
  score: Type.Number(), scores: Scores,
  level: Type.Union([Type.Literal('hit'), Type.Literal('review'), Type.Literal('none')], { description: "'none' only in an investigative check" }),
  reference: Nullable(Type.String()), name: Nullable(Type.String()),
  disclosure: Type.Optional(HitStatusSchema),
}, Open);

export const candidateExample = {
  subjectId: null, handle: 'h_Jx3nQk1c9bV0aZ2p', watchlist: 'se-wanted', agency: 'SE', score: 11.82,
  scores: { finger: 11.82 }, level: 'hit', reference: null, name: null, disclosure: 'pending',
};

export const ProbeSchema = Type.Object({
  face: Type.Optional(Type.String({ description: 'base64 image as the check sent it' })),
  fingerprints: Type.Optional(Type.Array(Type.Object({
    template: Type.String({ description: 'base64 template record (or the whole ANSI/NIST-ITL transaction it came in)' }),
    position: Nullable(Type.Integer()), format: Type.String(),
  }, Open))),
}, Open);

export const HitSummarySchema = Type.Object({
  handle: Type.String(), caseId: Type.String(), checkId: Type.String(), requestingAgency: Type.String(), watchlist: Type.String(),
  subjectId: Type.String(), reference: Nullable(Type.String()), name: Nullable(Type.String()),
  score: Type.Number(), scores: Scores, level: Type.String(), status: HitStatusSchema,
  decidedAt: Nullable(Type.String({ format: 'date-time' })), note: Nullable(Type.String()), createdAt: Type.String({ format: 'date-time' }),
}, Open);

export const hitExample = {
  handle: 'h_Jx3nQk1c9bV0aZ2p', caseId: '5b0f8a3e-6a51-4d55-9c2e-0f1f7d3c2b11', checkId: '0c8a1e52-93f3-4b7e-8a3d-7c2d9b1e4f60',
  requestingAgency: 'NO', watchlist: 'se-wanted', subjectId: '9d6c2f0e-1b7a-4c3d-8e5f-2a4b6c8d0e1f', reference: 'SE-2026/123',
  name: 'Jane Example', score: 11.82, scores: { finger: 11.82 }, level: 'hit', status: 'pending', decidedAt: null, note: null,
  createdAt: '2026-12-02T04:30:00.000Z',
};
