// POST /v1/verifications: 1:1, a face against a face (e.g. the passport chip photo), or a finger against a finger.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { prepareFingerInput, type Modalities } from '../../fusion/modalities.ts';
import { appendAudit } from '../../store/audit.ts';
import { actor, principal } from '../auth.ts';
import { decodeBase64 } from '../base64.ts';
import { effectiveQualityPolicy } from '../../quality-policy.ts';
import { Base64Field, QualityPolicyField, StrictObject, bearer, commonErrors } from '../schemas.ts';
import { fingerProbeInput, FingerProbe } from '../finger-probe.ts';

const Finger = FingerProbe;
const Side = StrictObject({ face: Type.Optional(Base64Field()), fingerprint: Type.Optional(Finger) });
const Body = StrictObject({
  face: Type.Optional(Base64Field()),
  fingerprint: Type.Optional(Finger),
  against: Side,
  quality: Type.Optional(QualityPolicyField),
});

export function verificationRoutes(mods: Modalities) {
  return (app: FastifyInstance, ctx: AppContext): void => {
    app.post<{ Body: Static<typeof Body> }>('/v1/verifications', {
      config: { roles: ['kiosk', 'examiner', 'admin'] },
      schema: { tags: ['checks'], summary: '1:1 verification: face vs face, or fingerprint vs fingerprint (each side a template or an image)', description: 'Faces answer with the quality report of each side (quality.face, quality.against); "quality": "strict" refuses a poor capture with 422 and the reasons.', security: bearer, body: Body, response: { ...commonErrors, 422: Type.Ref('Error') } },
    }, async (req) => {
      const p = principal(req);
      const b = req.body;
      const max = ctx.config.maxUploadBytes;
      let result: { score: number; raw: number; threshold: number; modality: string; quality?: Record<string, unknown> };
      if (b.face !== undefined) {
        if (b.against.face === undefined) throw new AppError('VALIDATION_FAILED', 'a face is verified against a face: send against.face');
        if (!mods.face) throw new AppError('MODEL_UNAVAILABLE', 'face matching is not available on this service');
        const face = mods.face;
        // The live side takes the policy; `against` (a document or chip photo) is no live capture and is never gated.
        const policy = effectiveQualityPolicy(b.quality, p.qualityPolicy);
        const [x, y] = await Promise.all([face.extract(decodeBase64('face', b.face, max), 'verify', { policy }), face.extract(decodeBase64('against.face', b.against.face, max), 'verify', { policy: 'inform' })]);
        result = { ...face.compare(x.embedding, y.embedding), threshold: face.verifyThreshold, modality: 'face', quality: { face: x.quality, against: y.quality } };
      } else if (b.fingerprint !== undefined) {
        if (b.against.fingerprint === undefined) throw new AppError('VALIDATION_FAILED', 'a fingerprint is verified against a fingerprint: send against.fingerprint');
        if (!mods.finger) throw new AppError('MODEL_UNAVAILABLE', 'fingerprint matching is not available on this service');
        const finger = mods.finger;
        const [a, c] = await Promise.all([
          prepareFingerInput(finger, fingerProbeInput(b.fingerprint, 'fingerprint', max)),
          prepareFingerInput(finger, fingerProbeInput(b.against.fingerprint, 'against.fingerprint', max)),
        ]);
        // Several views on either side: the best pair decides.
        let best = { raw: -Infinity, score: 0 };
        for (const x of a) for (const y of c) { const s = finger.compare(x.template, y.template); if (s.raw > best.raw) best = s; }
        result = { ...best, threshold: finger.verifyThreshold, modality: 'finger' };
      } else {
        throw new AppError('VALIDATION_FAILED', 'send face + against.face, or fingerprint + against.fingerprint');
      }
      await ctx.db.tx((c) => appendAudit(c, { ...actor(p), requestId: req.id, action: 'verification.run', details: { modality: result.modality, match: result.score >= result.threshold } }));
      return { score: +result.score.toFixed(4), match: result.score >= result.threshold, threshold: +result.threshold.toFixed(4), modality: result.modality, raw: +result.raw.toFixed(6), ...(result.quality ? { quality: result.quality } : {}) };
    });
  };
}
