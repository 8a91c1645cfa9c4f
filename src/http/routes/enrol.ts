// Enrolment of face images and fingerprint templates into a subject: PostgreSQL first (one transaction,
// under the subject's row lock so a concurrent deletion cannot orphan a sample), then the search index.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { prepareFingerInput, type FaceExtraction, type FingerProbeInput, type Modalities, type PreparedFinger } from '../../fusion/modalities.ts';
import { appendAudit } from '../../store/audit.ts';
import { insertSample } from '../../store/samples.ts';
import { lockSubject } from '../../store/subjects.ts';
import { actor, principal } from '../auth.ts';
import { decodeBase64 } from '../base64.ts';
import { BINARY_TYPES } from '../binary-types.ts';
import { effectiveQualityPolicy } from '../../quality-policy.ts';
import { Base64Field, IdParams, QualityPolicyField, QualityQuery, StrictObject, bearer, jsonOrBinary } from '../schemas.ts';
import { subjectFor } from '../../store/subject-admin.ts';
import { fingerProbeInput, FingerProbe } from '../finger-probe.ts';

const FaceBody = StrictObject({ image: Base64Field('base64 image'), quality: Type.Optional(QualityPolicyField) });
const FingerBody = FingerProbe;
/** For a raw image body: what the JSON form carries beside the image. */
const FingerQuery = StrictObject({
  ppi: Type.Optional(Type.String({ pattern: '^[0-9]{3,4}$', description: 'scan resolution of a raw image body, 250..2000', examples: ['500'] })),
  position: Type.Optional(Type.String({ pattern: '^([0-9]|10)$', description: 'finger position 0..10 of a raw image or template body', examples: ['2'] })),
});

/** Enrolment inputs decoded from a non-JSON body (ANSI/NIST-ITL), registered by the layer that owns the format. */
export type EnrolBodyParser = (body: Buffer, request: FastifyRequest) => { faces: { image: Uint8Array; format: string }[]; fingers: FingerProbeInput[] };

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/tiff', 'image/jp2', 'image/jpx', 'image/j2k']);
/** Raw fingerprint image bodies our extractor reads (the format is still told from the bytes). */
const FINGER_IMAGE_TYPES = new Set(['image/x-wsq', 'image/wsq', 'image/jp2', 'image/jpx', 'image/j2k', 'image/png', 'image/tiff', 'image/jpeg', 'image/bmp', 'image/x-ms-bmp']);
const contentType = (req: FastifyRequest) => String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();

export function enrolRoutes(mods: Modalities, parsers: Record<string, EnrolBodyParser> = {}) {
  return (app: FastifyInstance, ctx: AppContext): void => {
    const max = ctx.config.maxUploadBytes;

    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof FaceBody>; Querystring: Static<typeof QualityQuery> }>('/v1/subjects/:id/faces', {
      config: { roles: ['admin', 'enroller'] },
      schema: { tags: ['subjects'], summary: 'Enrol a face image (raw image body, JSON {image}, or an ANSI/NIST-ITL Type-10)', description: 'Any image with a detectable face is enrolled (the largest face when there are several) and the answer carries its quality report with warnings. "quality": "strict" in JSON, ?quality=strict for a raw body, or a key or watchlist whose qualityPolicy is strict, refuses a capture below the enrolment thresholds with 422 and the reasons.', security: bearer, params: IdParams, querystring: QualityQuery, body: jsonOrBinary(FaceBody, BINARY_TYPES) },
    }, async (req, reply) => {
      const p = principal(req);
      if (!mods.face) throw new AppError('MODEL_UNAVAILABLE', 'face enrolment is not available on this service');
      const { subject, watchlist } = await subjectFor(ctx, p, req.params.id, 'manage');
      let images: { image: Uint8Array; format: string }[];
      const asked = Buffer.isBuffer(req.body) ? req.query.quality : req.body.quality ?? req.query.quality;
      const policy = effectiveQualityPolicy(asked, p.qualityPolicy, watchlist.qualityPolicy);
      if (Buffer.isBuffer(req.body)) {
        const body = req.body;
        const type = contentType(req);
        if (body.length > max) throw new AppError('IMAGE_TOO_LARGE', `the image is larger than ${max} bytes`);
        if (IMAGE_TYPES.has(type)) images = [{ image: new Uint8Array(body), format: type }];
        else if (parsers[type]) images = parsers[type](body, req).faces;
        else throw new AppError('UNSUPPORTED_MEDIA_TYPE', `faces are sent as ${[...IMAGE_TYPES].join(', ')}, JSON, or ${Object.keys(parsers).join(', ')}`);
        if (!images.length) throw new AppError('VALIDATION_FAILED', 'the transaction holds no face image');
      } else {
        images = [{ image: decodeBase64('image', req.body.image, max), format: 'image' }];
      }
      const face = mods.face;
      const extracted: ({ image: Uint8Array; format: string } & FaceExtraction)[] = [];
      for (const im of images) extracted.push({ ...im, ...(await face.extract(im.image, 'enrol', { policy })) });
      const ids = await ctx.db.tx(async (c) => {
        if (!(await lockSubject(c, subject.id))) throw new AppError('SUBJECT_NOT_FOUND', 'no such subject');
        const out = [];
        for (const e of extracted) {
          const emb = e.embedding;
          const s = await insertSample(c, {
            subjectId: subject.id, watchlist: watchlist.id, modality: 'face', position: null,
            template: new Uint8Array(emb.buffer, emb.byteOffset, emb.byteLength), extractor: face.extractor,
            quality: e.quality, sourceFormat: e.format, source: e.image, createdBy: p.keyId,
          });
          out.push(s);
        }
        await appendAudit(c, { ...actor(p), requestId: req.id, action: 'sample.enrol', target: subject.id, details: { modality: 'face', samples: out.map((x) => x.id) } });
        return out;
      });
      await face.add(extracted.map((e, i) => ({ sampleId: ids[i].id, seq: ids[i].seq, embedding: e.embedding, watchlistNum: watchlist.num, subjectId: subject.id })));
      return reply.status(201).send(ids.length === 1
        ? { sampleId: String(ids[0].id), quality: extracted[0].quality }
        : { sampleId: String(ids[0].id), sampleIds: ids.map((x) => String(x.id)), quality: extracted[0].quality });
    });

    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof FingerBody>; Querystring: Static<typeof FingerQuery> }>('/v1/subjects/:id/fingerprints', {
      config: { roles: ['admin', 'enroller'] },
      schema: { tags: ['subjects'], summary: 'Enrol a fingerprint: a minutiae template (raw ISO/ANSI record, JSON {template, position}), an image (raw WSQ/JPEG 2000/PNG/TIFF/JPEG body or JSON {image, position, ppi}: minutiae extracted here), or an ANSI/NIST-ITL Type-9; one sample per finger view', description: 'A template body is parsed as it is; an image (or an ISO/IEC 19794-4 / ANSI 381 finger image record, or ANSI/NIST-ITL Type-4/13/14 images) is decoded, resampled to 500 ppi and our extractor finds the minutiae; the answer then carries a quality report per finger. The source bytes are stored with each sample.', security: bearer, params: IdParams, querystring: FingerQuery, body: jsonOrBinary(FingerBody, BINARY_TYPES) },
    }, async (req, reply) => {
      const p = principal(req);
      if (!mods.finger) throw new AppError('MODEL_UNAVAILABLE', 'fingerprint enrolment is not available on this service');
      const finger = mods.finger;
      const { subject, watchlist } = await subjectFor(ctx, p, req.params.id, 'manage');
      let records: FingerProbeInput[];
      if (Buffer.isBuffer(req.body)) {
        const body = req.body;
        const type = contentType(req);
        if (body.length > max) throw new AppError('PAYLOAD_TOO_LARGE', `the template is larger than ${max} bytes`);
        const ppi = req.query.ppi === undefined ? undefined : Number(req.query.ppi);
        const position = req.query.position === undefined ? undefined : Number(req.query.position);
        if (type === 'application/octet-stream') { const record = new Uint8Array(body); records = [{ record, position, format: 'template', source: record }]; }
        else if (FINGER_IMAGE_TYPES.has(type)) { const image = new Uint8Array(body); records = [{ image, ppi, position, format: type, source: image }]; }
        else if (parsers[type]) records = parsers[type](body, req).fingers;
        else throw new AppError('UNSUPPORTED_MEDIA_TYPE', `fingerprints are sent as application/octet-stream (a template), ${[...FINGER_IMAGE_TYPES].join(', ')}, JSON, or ${Object.keys(parsers).join(', ')}`);
        if (!records.length) throw new AppError('VALIDATION_FAILED', 'the transaction holds no minutiae record');
      } else {
        records = [fingerProbeInput(req.body, 'body', max)];
      }
      const prepared: { f: PreparedFinger; source: Uint8Array }[] = [];
      for (const r of records) for (const f of await prepareFingerInput(finger, r)) prepared.push({ f, source: r.source });
      if (!prepared.length) throw new AppError('TEMPLATE_NO_MINUTIAE', 'the record holds no finger view');
      const ids = await ctx.db.tx(async (c) => {
        if (!(await lockSubject(c, subject.id))) throw new AppError('SUBJECT_NOT_FOUND', 'no such subject');
        const out = [];
        for (const { f, source } of prepared) {
          const s = await insertSample(c, {
            subjectId: subject.id, watchlist: watchlist.id, modality: 'finger', position: f.position, template: f.template,
            extractor: finger.extractor, quality: { minutiae: f.minutiae, ...f.quality }, sourceFormat: f.format, source, createdBy: p.keyId,
          });
          out.push(s.id);
        }
        await appendAudit(c, { ...actor(p), requestId: req.id, action: 'sample.enrol', target: subject.id, details: { modality: 'finger', samples: out } });
        return out;
      });
      await finger.add(prepared.map(({ f }, i) => ({ sampleId: ids[i], finger: f, watchlistNum: watchlist.num, subjectId: subject.id })));
      const quality = prepared.some(({ f }) => f.quality) ? { quality: prepared.map(({ f }) => f.quality ?? null) } : {};
      return reply.status(201).send({ sampleIds: ids.map(String), minutiae: prepared.map(({ f }) => f.minutiae), positions: prepared.map(({ f }) => f.position), ...quality });
    });
  };
}
