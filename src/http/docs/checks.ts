// Checks (1:N) and verifications (1:1).
import { Type } from '@sinclair/typebox';
import { Candidate, Decision, example, IsoTime, Nullable, Score, UuidString, type OperationDocs } from './common.ts';

const candidate = {
  subjectId: example.subjectId, handle: example.handle, watchlist: 'fr-wanted', agency: 'FR', score: 9.4312,
  scores: { face: 6.1024, finger: 5.2871 }, level: 'hit', reference: 'FR-2026-004211', name: 'Jean Martin',
};
const withheld = { ...candidate, subjectId: null, reference: null, name: null, handle: 'h_V2l0aGhlbGRIaXQy' };

/** A probe face's quality report; with BIOCHECK_PAD=on it carries presentationAttack. */
const FaceQualityReport = Type.Object({
  presentationAttack: Type.Optional(Type.Object({
    realScore: Type.Number({ minimum: 0, maximum: 1, description: 'higher = more likely a live face' }),
    attack: Type.Boolean({ description: 'realScore below the threshold calibrated for BPCER 1 % (bench/results/face-pad.md)' }),
  })),
}, { additionalProperties: true, description: 'the face\'s quality measures' });

const CHECK_ERRORS = ['WATCHLIST_NOT_FOUND', 'IMAGE_UNDECODABLE', 'IMAGE_UNSUPPORTED_FORMAT', 'IMAGE_TOO_LARGE', 'IMAGE_TOO_MANY_PIXELS',
  'FACE_NOT_FOUND', 'FACE_MULTIPLE', 'FACE_QUALITY_TOO_LOW', 'PRESENTATION_ATTACK', 'TEMPLATE_UNKNOWN_FORMAT', 'TEMPLATE_TRUNCATED',
  'TEMPLATE_LENGTH_MISMATCH', 'TEMPLATE_INVALID_FIELD', 'TEMPLATE_NO_MINUTIAE', 'MODEL_UNAVAILABLE',
  'WSQ_MALFORMED', 'WSQ_TRUNCATED', 'IMAGE_RECORD_MALFORMED', 'IMAGE_RECORD_TRUNCATED'] as const;

export const checkDocs: OperationDocs = {
  'POST /v1/checks': {
    summary: 'Check a face and/or fingerprints against every watchlist the caller may search',
    description: 'The frontline 1:N call. Takes a face image, fingerprints, or both (JSON, or an ANSI/NIST-ITL transaction '
      + 'with Content-Type application/vnd.ansi-nist-itl). A finger is a template (`fingerprints[].template`: ISO/IEC 19794-2, '
      + 'ANSI 378) or an image (`fingerprints[].image` with `position` and `ppi`: WSQ, JPEG 2000, PNG, TIFF, JPEG, BMP, or an '
      + 'ISO/IEC 19794-4 2005/2011 / ANSI 381 record, minutiae extracted here; `fingerprintQuality` reports each); it searches every watchlist the caller may search (or those named in '
      + '`watchlists`), fuses face and finger scores on one calibrated scale and decides per watchlist threshold: `hit` and '
      + '`review` open a case (`caseId`) for examiners of the calling agency; `no-hit` keeps no image or template. Candidates of '
      + 'a hit/no-hit watchlist of another agency show only a handle until its owner discloses. A face that cannot be used next '
      + 'to usable fingers becomes a `warnings` entry instead of an error. With Accept: application/vnd.ansi-nist-itl the answer '
      + 'is a Type-1 + Type-2 response transaction. Kiosk, examiner or admin. Audited as `check.run`.',
    requestExample: { face: example.faceBase64, fingerprints: [{ template: example.templateBase64, position: 2 }], limit: 10 },
    responses: {
      200: {
        description: 'the decision and the candidates, strongest first',
        schema: Type.Object({
          checkId: UuidString, decision: Decision,
          mode: Type.Optional(Type.String({ description: 'standard (hit and review candidates only) or investigative (the top `limit`, examiners only)' })),
          candidates: Type.Array(Candidate, { description: 'strongest first, at most `limit` (default 10)' }),
          caseId: Nullable(UuidString),
          probeKept: Type.Optional(Type.Boolean({ description: 'whether the probe (image/templates) is kept: with a case, or when no-hit probes are retained' })),
          timingsMs: Type.Record(Type.String(), Type.Number(), { description: 'time per stage (decode, detect, embed, search, ...)' }),
          warnings: Type.Optional(Type.Array(Type.Object({ modality: Type.String(), code: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) }))),
          quality: Type.Optional(FaceQualityReport),
          missingShards: Type.Optional(Type.Array(Type.Integer({ minimum: 0 }), { description: 'cluster only (BIOCHECK_ROLE=front): the gallery shards no worker answered for within BIOCHECK_SEARCH_DEADLINE_MS; absent when every shard answered' })),
        }),
        example: { checkId: example.checkId, decision: 'hit', mode: 'standard', candidates: [candidate, withheld], caseId: example.caseId, probeKept: true, timingsMs: { face: 41.2, finger: 3.8, total: 52.6 } },
      },
    },
    errors: [...CHECK_ERRORS, 'ITL_MALFORMED', 'ITL_TRUNCATED', 'ITL_UNSUPPORTED'], kind: { body: true, admitted: true },
  },
  'GET /v1/checks/{id}': {
    summary: 'A check and, once examined, its outcome',
    description: 'What the kiosk polls after a `hit` or `review`: the decision, the case and its status (`pending` until an '
      + 'examiner closes it, then `confirmed` or `rejected`) and the candidates with their outcomes, shown as the caller may see '
      + 'them. Checks of other agencies answer 404. Kiosk, examiner or admin. Not audited.',
    parameterExamples: { id: example.checkId },
    responses: {
      200: {
        description: 'the check',
        schema: Type.Object({
          checkId: UuidString, decision: Decision, createdAt: IsoTime, caseId: Nullable(UuidString),
          review: Nullable(Type.Object({ status: Type.String({ description: 'pending or closed' }), outcome: Nullable(Type.String({ description: 'confirmed or rejected once closed' })) })),
          candidates: Type.Array(Candidate),
        }),
        example: { checkId: example.checkId, decision: 'hit', createdAt: example.time, caseId: example.caseId,
          review: { status: 'closed', outcome: 'confirmed' }, candidates: [{ ...candidate, outcome: 'confirmed' }] },
      },
    },
    errors: ['CHECK_NOT_FOUND'],
  },
  'POST /v1/verifications': {
    summary: '1:1 verification: face vs face or fingerprint vs fingerprint',
    description: 'Compares a face with a face (e.g. the live capture with the passport chip photo) or a fingerprint with a '
      + 'fingerprint (either side a template or an image, as in checks), and answers the score on the check scale with `match` at the threshold (FMR 1e-3, score 3). Nothing is '
      + 'stored. Kiosk, examiner or admin. Audited as `verification.run` (modality and result only).',
    requestExample: { face: example.faceBase64, against: { face: example.faceBase64 } },
    responses: {
      200: {
        description: 'the comparison',
        schema: Type.Object({
          score: Score, match: Type.Boolean({ description: 'score >= threshold' }),
          threshold: Type.Number({ description: 'the score at FMR 1e-3 (3)' }), modality: Type.Union([Type.Literal('face'), Type.Literal('finger')]),
          raw: Type.Number({ description: "the matcher's own similarity, before calibration (not comparable across modalities)" }),
          quality: Type.Optional(Type.Object({ face: FaceQualityReport, against: FaceQualityReport }, { description: 'face verifications: the quality report of each side' })),
        }),
        example: { score: 7.8123, match: true, threshold: 3, modality: 'face', raw: 0.912345 },
      },
    },
    errors: [...CHECK_ERRORS.filter((c) => c !== 'WATCHLIST_NOT_FOUND')], kind: { body: true, admitted: true },
  },
};
