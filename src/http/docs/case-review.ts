// What examiners compare and record beyond decisions: the aligned faces, a candidate's fingerprint comparison,
// second-examiner verifications and the case's own audit trail.
import { Type } from '@sinclair/typebox';
import { example, IsoTime, Nullable, UuidString, type OperationDocs } from './common.ts';

const Minutiae = Type.Object({
  position: Type.Integer(), width: Type.Integer(), height: Type.Integer(),
  minutiae: Type.Array(Type.Object({
    x: Type.Number(), y: Type.Number(), angle: Type.Number({ description: 'radians, counter-clockwise from +x' }),
    type: Type.Union([Type.Literal('ending'), Type.Literal('bifurcation'), Type.Literal('other')]), quality: Type.Number(),
  })),
});
const minutiae = (x: number) => ({ position: 2, width: 300, height: 400, minutiae: [{ x, y: 88, angle: 1.57, type: 'ending', quality: 60 }] });

export const caseReviewDocs: OperationDocs = {
  'GET /v1/cases/{id}/faces/{which}': {
    summary: "A case's face aligned for comparison by eye (PNG)",
    description: "The probe's face (`probe`) or a candidate's enrolled face (its sample id from the case's `matched`), aligned on "
      + 'five landmarks so that the eyes sit at the same place in every crop (240 x 300). An enrolled face only where the case '
      + 'view shows that candidate\'s identity (the same rule); otherwise 404, as for a sample not in this case. Examiner or admin. '
      + 'Audited as `case.face`.',
    parameterExamples: { id: example.caseId, which: 'probe' },
    responses: { 200: { description: 'the aligned face', mediaType: 'image/png', schema: Type.String({ format: 'binary' }), example: '(PNG bytes)' } },
    errors: ['CASE_NOT_FOUND', 'NOT_FOUND', 'MODEL_UNAVAILABLE', 'FACE_NOT_FOUND'],
  },
  'GET /v1/cases/{id}/candidates/{handle}/comparison': {
    summary: "A candidate's fingerprint comparison: both fingers' minutiae and the matcher's pairs",
    description: "For each probe finger that matched one of the candidate's enrolled fingers: both templates' minutiae, the pairs "
      + 'the matcher counted and the rigid transform laying the probe onto the enrolled finger, best first. Only where the case '
      + 'view shows the candidate\'s identity (403 for a hit/no-hit candidate of another agency not yet disclosed). Examiner or '
      + 'admin. Audited as `case.compare`.',
    parameterExamples: { id: example.caseId, handle: example.handle },
    responses: {
      200: {
        description: 'the comparison',
        schema: Type.Object({ caseId: UuidString, handle: Type.String(), fingers: Type.Array(Type.Object({
          probeIndex: Type.Integer(), sampleId: Type.Integer(), score: Type.Number({ description: '-log10(FMR) of this comparison' }),
          probe: Minutiae, enrolled: Minutiae, pairs: Type.Array(Type.Array(Type.Integer(), { minItems: 2, maxItems: 2 })),
          transform: Type.Object({ rotation: Type.Number(), tx: Type.Number(), ty: Type.Number() }),
        })) }),
        example: { caseId: example.caseId, handle: example.handle, fingers: [{ probeIndex: 0, sampleId: 48214, score: 7.31,
          probe: minutiae(120.5), enrolled: minutiae(131), pairs: [[0, 0]], transform: { rotation: -0.05, tx: 14.2, ty: -1.9 } }] },
      },
    },
    errors: ['CASE_NOT_FOUND', 'NOT_FOUND', 'MODEL_UNAVAILABLE'],
  },
  'POST /v1/cases/{id}/verifications': {
    summary: "A second examiner verifies or disputes the case's conclusions",
    description: 'Optional (ACE-V verification). Once every hit/review candidate has a conclusion, an examiner whose key recorded '
      + 'none of them verifies or disputes them as they stand (the case version). While the latest verification of the current '
      + 'version is a dispute the case does not close; a new decision makes earlier verifications stale. Examiner or admin. '
      + 'Audited as `case.verify`.',
    parameterExamples: { id: example.caseId },
    requestExample: { outcome: 'verified', note: 'ridge detail and face re-examined independently' },
    responses: {
      201: { description: 'recorded', schema: Type.Object({ caseId: UuidString, outcome: Type.String(), caseVersion: Type.Integer() }),
        example: { caseId: example.caseId, outcome: 'verified', caseVersion: 3 } },
    },
    errors: ['CASE_NOT_FOUND', 'CASE_CLOSED', 'CONFLICT'], kind: { body: true },
  },
  'GET /v1/cases/{id}/audit': {
    summary: "The case's audit trail, newest first",
    description: 'Every audited action whose target is this case (case.read, case.decide, case.verify, case.close, case.compare, '
      + 'case.face), at most 500. Open to whoever may open the case; not itself audited. Entries carry no request bodies.',
    parameterExamples: { id: example.caseId },
    responses: {
      200: {
        description: 'the trail',
        schema: Type.Object({ entries: Type.Array(Type.Object({ id: Type.Integer(), at: IsoTime, keyId: Nullable(Type.String()),
          role: Nullable(Type.String()), agency: Nullable(Type.String()), action: Type.String(), details: Type.Unknown() })) }),
        example: { entries: [{ id: 812, at: example.time, keyId: example.keyId, role: 'examiner', agency: 'PT', action: 'case.decide',
          details: { candidate: example.handle, outcome: 'confirmed' } }] },
      },
    },
    errors: ['CASE_NOT_FOUND'],
  },
};
