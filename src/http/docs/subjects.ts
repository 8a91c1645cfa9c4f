// Subjects and their samples (face images, fingerprint templates).
import { Type } from '@sinclair/typebox';
import { example, IsoTime, Nullable, UuidString, type OperationDocs } from './common.ts';

const Subject = Type.Object({
  id: UuidString, watchlist: Type.String(), reference: Nullable(Type.String({ description: "the owner's own reference (notice number)" })),
  name: Nullable(Type.String()),
  attributes: Type.Record(Type.String(), Type.Unknown(), { description: 'descriptive fields: dateOfBirth, nationality, sex, aliases, notes and any others sent' }),
  samples: Type.Object({ face: Type.Integer({ minimum: 0 }), finger: Type.Integer({ minimum: 0 }) }, { description: 'enrolled samples per modality' }),
  createdAt: IsoTime,
});
const subject = {
  id: example.subjectId, watchlist: 'fr-wanted', reference: 'FR-2026-004211', name: 'Jean Martin',
  attributes: { dateOfBirth: '1981-04-17', nationality: 'FRA', sex: 'M', aliases: ['J. Marten'] }, samples: { face: 1, finger: 2 }, createdAt: example.time,
};
const O = Type.Optional;
const Quality = Type.Object({
  score: Type.Number({ minimum: 0, maximum: 100, description: 'overall capture quality, 100 best' }),
  faceWidthPx: Type.Number(), interEyePx: O(Type.Number()), sharpness: O(Type.Number({ description: 'about 0.3 for a sharp face, 0.1 blurred' })),
  exposure: O(Type.Object({ mean: Type.Number(), clippedLow: Type.Number(), clippedHigh: Type.Number(), contrast: Type.Number() })),
  yawDeg: O(Type.Number()), pitchDeg: O(Type.Number()), rollDeg: O(Type.Number()), faceCount: O(Type.Integer()),
  detectorScore: O(Type.Number({ minimum: 0, maximum: 1 })),
}, { description: 'face capture quality as measured at enrolment (a failing capture answers 422 FACE_QUALITY_TOO_LOW with the reasons)' });
const quality = {
  faceWidthPx: 212, interEyePx: 86.4, sharpness: 0.31, exposure: { mean: 121.6, clippedLow: 0.002, clippedHigh: 0.011, contrast: 0.62 },
  yawDeg: 3.1, pitchDeg: -2.4, rollDeg: 0.8, faceCount: 1, detectorScore: 0.97, score: 91,
};

export const subjectDocs: OperationDocs = {
  'POST /v1/subjects': {
    summary: 'Create a subject in a watchlist',
    description: "Creates a person record in a watchlist of the caller's agency; samples are enrolled into it next. `reference` is "
      + 'unique per watchlist. Enroller of the owner agency, or admin. Audited as `subject.create`.',
    requestExample: { watchlist: 'fr-wanted', reference: 'FR-2026-004211', name: 'Jean Martin', dateOfBirth: '1981-04-17', nationality: 'FRA', sex: 'M', aliases: ['J. Marten'] },
    responses: { 201: { description: 'created', schema: Subject, example: { ...subject, samples: { face: 0, finger: 0 } } } },
    errors: ['WATCHLIST_NOT_FOUND', 'CONFLICT'], kind: { body: true },
  },
  'GET /v1/subjects': {
    summary: 'Subjects the caller may read',
    description: 'Subjects of the watchlists the caller manages (enrollers: their agency\'s; admins: all) or may see identities of '
      + '(examiners), newest first; filter by `watchlist` and `reference`, page with `limit` (1..500, default 100) and `offset`. '
      + 'Enroller, examiner or admin. Not audited (a read of one subject is).',
    parameterExamples: { watchlist: 'fr-wanted', limit: '50' },
    responses: { 200: { description: 'the subjects', schema: Type.Object({ subjects: Type.Array(Subject) }), example: { subjects: [subject] } } },
    errors: ['WATCHLIST_NOT_FOUND'],
  },
  'GET /v1/subjects/{id}': {
    summary: 'One subject',
    description: 'A subject the caller may read. On a hit/no-hit watchlist of another agency the id answers 404, never 403, so its '
      + 'existence is not confirmed. Enroller, examiner or admin. Audited as `subject.read`.',
    parameterExamples: { id: example.subjectId },
    responses: { 200: { description: 'the subject', schema: Subject, example: subject } },
    errors: ['SUBJECT_NOT_FOUND'],
  },
  'DELETE /v1/subjects/{id}': {
    summary: 'Delete a subject and all its samples',
    description: 'Deletes the subject and every enrolled image and template in one transaction, then removes them from the search '
      + 'indexes: the next check cannot find them. Enroller of the owner agency, or admin. Audited as `subject.delete`.',
    parameterExamples: { id: example.subjectId },
    responses: { 204: { description: 'deleted' } },
    errors: ['SUBJECT_NOT_FOUND'],
  },
  'DELETE /v1/subjects/{id}/faces/{sampleId}': {
    summary: 'Delete one face sample of a subject',
    description: 'Removes one enrolled face sample (a wrong photo) and keeps the subject and its other samples; a tombstone lets '
      + 'index snapshots older than the deletion replay it, so it is gone from every later check, across restarts. 404 '
      + '`SAMPLE_NOT_FOUND` when the subject holds no such face sample. Enroller of the owner agency, or admin. Audited as `sample.delete`.',
    parameterExamples: { id: example.subjectId, sampleId: '48213' },
    responses: { 204: { description: 'deleted' } },
    errors: ['SUBJECT_NOT_FOUND', 'SAMPLE_NOT_FOUND'],
  },
  'DELETE /v1/subjects/{id}/fingerprints/{sampleId}': {
    summary: 'Delete one finger sample of a subject',
    description: 'Removes one enrolled finger sample (a wrong template) and keeps the subject and its other samples; a tombstone lets '
      + 'index snapshots older than the deletion replay it, so it is gone from every later check, across restarts. 404 '
      + '`SAMPLE_NOT_FOUND` when the subject holds no such finger sample. Enroller of the owner agency, or admin. Audited as `sample.delete`.',
    parameterExamples: { id: example.subjectId, sampleId: '48213' },
    responses: { 204: { description: 'deleted' } },
    errors: ['SUBJECT_NOT_FOUND', 'SAMPLE_NOT_FOUND'],
  },
  'POST /v1/subjects/{id}/faces': {
    summary: 'Enrol a face image',
    description: 'Enrols a face: a raw image body (image/jpeg, png, webp, tiff, jp2), JSON `{image}` (base64), or an ANSI/NIST-ITL '
      + 'transaction (every Type-10 face). The capture must pass the enrolment quality thresholds, else 422 '
      + '`FACE_QUALITY_TOO_LOW` with the reasons. Enroller of the owner agency, or admin. Audited as `sample.enrol`.',
    parameterExamples: { id: example.subjectId },
    requestExample: { image: example.faceBase64 },
    responses: {
      201: { description: 'enrolled; `sampleIds` when a transaction held several faces',
        schema: Type.Object({ sampleId: Type.String(), sampleIds: Type.Optional(Type.Array(Type.String())), quality: Quality }),
        example: { sampleId: '48213', quality } },
    },
    errors: ['SUBJECT_NOT_FOUND', 'IMAGE_UNDECODABLE', 'IMAGE_UNSUPPORTED_FORMAT', 'IMAGE_TOO_LARGE', 'IMAGE_TOO_MANY_PIXELS',
      'FACE_NOT_FOUND', 'FACE_MULTIPLE', 'FACE_QUALITY_TOO_LOW', 'ITL_MALFORMED', 'ITL_TRUNCATED',
      'ITL_UNSUPPORTED', 'MODEL_UNAVAILABLE'],
    kind: { body: true, admitted: true },
  },
  'POST /v1/subjects/{id}/fingerprints': {
    summary: 'Enrol a fingerprint: a minutiae template, a fingerprint image, or an ANSI/NIST-ITL transaction',
    description: 'Enrols minutiae: a raw ISO/IEC 19794-2 (2005, 2011) or ANSI INCITS 378 (2004, 2009) record '
      + '(application/octet-stream), JSON `{template, position}` (base64; position 0..10 as in ISO 19794, 0 unknown), or an '
      + 'ANSI/NIST-ITL transaction (Type-9: INCITS 378 block 9.126-9.150, legacy 9.005-9.012, an embedded template, or the '
      + 'FBI/IAFIS fields 9.014-9.023). Or an image, whose minutiae our extractor finds: JSON `{image, position, ppi}`, a raw body '
      + '(image/x-wsq, image/jp2, image/png, image/tiff, image/jpeg, image/bmp; `?position=&ppi=`), an ISO/IEC 19794-4 (2005 '
      + 'or 2011) or ANSI/INCITS 381 finger image record as application/octet-stream (uncompressed, WSQ, JPEG, JPEG 2000, PNG '
      + 'views), or ITL Type-4/13/14 images when the transaction has no Type-9. The format is told from the bytes; images are '
      + 'resampled to 500 ppi and stored with the sample; the answer then carries a quality report per finger. One sample per '
      + 'finger view. Enroller of the owner agency, or admin. Audited as `sample.enrol`.',
    parameterExamples: { id: example.subjectId },
    requestExample: { template: example.templateBase64, position: 2 },
    responses: {
      201: { description: 'enrolled, one sample per finger view',
        schema: Type.Object({
          sampleIds: Type.Array(Type.String()), minutiae: Type.Array(Type.Integer({ minimum: 0 })), positions: Type.Array(Nullable(Type.Integer({ minimum: 0, maximum: 10 }))),
          quality: Type.Optional(Type.Array(Type.Unknown(), { description: 'for images: per finger a 0-100 score, reasons, ppi and the extractor version' })),
        }),
        example: { sampleIds: ['48214'], minutiae: [41], positions: [2] } },
    },
    errors: ['SUBJECT_NOT_FOUND', 'TEMPLATE_UNKNOWN_FORMAT', 'TEMPLATE_TRUNCATED', 'TEMPLATE_LENGTH_MISMATCH', 'TEMPLATE_INVALID_FIELD',
      'TEMPLATE_NO_MINUTIAE', 'ITL_MALFORMED', 'ITL_TRUNCATED', 'ITL_UNSUPPORTED', 'MODEL_UNAVAILABLE', 'WSQ_MALFORMED', 'WSQ_TRUNCATED',
      'IMAGE_RECORD_MALFORMED', 'IMAGE_RECORD_TRUNCATED', 'IMAGE_UNDECODABLE', 'IMAGE_UNSUPPORTED_FORMAT', 'IMAGE_TOO_LARGE', 'IMAGE_TOO_MANY_PIXELS'],
    kind: { body: true, admitted: true },
  },
};
