// What an examiner compares by eye: a candidate's fingerprint comparison (minutiae and the matcher's pairs) and the
// case's faces aligned alike.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { caseFaceCrop } from '../../cases/face-crops.ts';
import { fingerComparison } from '../../cases/finger-comparison.ts';
import type { Modalities } from '../../fusion/modalities.ts';
import { appendAudit } from '../../store/audit.ts';
import { actor, principal } from '../auth.ts';
import { StrictObject, bearer, commonErrors } from '../schemas.ts';

const FaceParams = StrictObject({ id: Type.String({ maxLength: 128 }), which: Type.String({ pattern: '^(probe|[0-9]{1,15})$', description: "'probe', or an enrolled face sample id from the case's candidates" }) });
const Params = StrictObject({ id: Type.String({ maxLength: 128 }), handle: Type.String({ pattern: '^h_[A-Za-z0-9_-]{8,64}$' }) });

const Minutiae = Type.Object({
  position: Type.Integer({ description: 'finger position 0..10 (0 unknown)' }),
  width: Type.Integer({ description: 'image width, 500 ppi pixels (0 unknown)' }),
  height: Type.Integer(),
  minutiae: Type.Array(Type.Object({
    x: Type.Number({ description: '500 ppi pixels, x right' }), y: Type.Number({ description: '500 ppi pixels, y down' }),
    angle: Type.Number({ description: 'radians, counter-clockwise from +x' }),
    type: Type.Union([Type.Literal('ending'), Type.Literal('bifurcation'), Type.Literal('other')]),
    quality: Type.Number(),
  })),
});

const Comparison = Type.Object({
  caseId: Type.String(),
  handle: Type.String(),
  fingers: Type.Array(Type.Object({
    probeIndex: Type.Integer({ description: "which of the check's probe fingers" }),
    sampleId: Type.Integer({ description: 'the enrolled finger sample' }),
    score: Type.Number({ description: '-log10 FMR of this comparison: 4 = one impostor comparison in 10,000 scores this high' }),
    probe: Minutiae,
    enrolled: Minutiae,
    pairs: Type.Array(Type.Tuple([Type.Integer(), Type.Integer()]), { description: "[probe minutia index, enrolled minutia index] of every pair the matcher counted" }),
    transform: Type.Object({
      rotation: Type.Number({ description: 'radians, of positions (y down)' }), tx: Type.Number(), ty: Type.Number(),
    }, { description: "takes the probe's minutiae into the enrolled finger's frame: x' = cos r x - sin r y + tx, y' = sin r x + cos r y + ty" }),
  }), { description: 'one entry per probe finger that matched an enrolled finger of this candidate, best first' }),
}, {
  examples: [{
    caseId: '6f1c1d3e-8d0a-4a53-9a43-0c8f2b1e7d21', handle: 'h_Qm9vZ2xlLWlzLWZ1bg',
    fingers: [{
      probeIndex: 0, sampleId: 42, score: 7.31,
      probe: { position: 2, width: 300, height: 400, minutiae: [{ x: 120.5, y: 88, angle: 1.57, type: 'ending', quality: 60 }] },
      enrolled: { position: 2, width: 300, height: 400, minutiae: [{ x: 131, y: 80.5, angle: 1.62, type: 'ending', quality: 80 }] },
      pairs: [[0, 0]], transform: { rotation: -0.05, tx: 14.2, ty: -1.9 },
    }],
  }],
});

export function comparisonRoutes(mods: Modalities) {
  return (app: FastifyInstance, ctx: AppContext): void => {
    app.get<{ Params: Static<typeof Params> }>('/v1/cases/:id/candidates/:handle/comparison', {
      config: { roles: ['examiner', 'admin'] },
      schema: {
        tags: ['cases'], summary: "A candidate's fingerprint comparison: both fingers' minutiae and the matcher's pairs",
        description: "For each probe finger that matched one of the candidate's enrolled fingers: both templates' minutiae "
          + '(position, direction, type), the minutiae pairs the matcher counted, and the rigid transform that lays the probe '
          + "onto the enrolled finger. Like the case view's enrolled samples, it is shown only where the caller may see the "
          + "candidate's identity (403 for a hit/no-hit candidate of another agency not yet disclosed). Read is audited.",
        security: bearer, params: Params,
        response: { 200: Comparison, ...commonErrors },
      },
    }, async (req) => {
      const p = principal(req);
      if (!mods.finger) throw new AppError('MODEL_UNAVAILABLE', 'fingerprint matching is not available on this service');
      const out = await fingerComparison(ctx, mods.finger, p, req.params.id, req.params.handle, req.id);
      await ctx.db.tx((c) => appendAudit(c, { ...actor(p), requestId: req.id, action: 'case.compare', target: out.caseId, details: { candidate: out.handle } }));
      return out;
    });

    app.get<{ Params: Static<typeof FaceParams> }>('/v1/cases/:id/faces/:which', {
      config: { roles: ['examiner', 'admin'] },
      schema: {
        tags: ['cases'], summary: "A case's face aligned for comparison by eye (PNG)",
        description: "The probe's face ('probe') or a candidate's enrolled face (its sample id, from the case's `matched`), "
          + 'aligned on five landmarks so that the eyes are at the same place and distance in every crop (240 x 300). '
          + 'An enrolled face only where the caller may see the identity (404 otherwise, as for a sample not in this case). Audited.',
        security: bearer, params: FaceParams,
        response: { 200: { description: 'PNG image', content: { 'image/png': { schema: { type: 'string', format: 'binary' } } } }, ...commonErrors, 422: Type.Ref('Error') },
      },
    }, async (req, reply) => {
      const p = principal(req);
      if (!mods.face?.displayCrop) throw new AppError('MODEL_UNAVAILABLE', 'face models are not loaded on this service');
      const out = await caseFaceCrop(ctx, mods.face, p, req.params.id, req.params.which, req.id);
      await ctx.db.tx((c) => appendAudit(c, { ...actor(p), requestId: req.id, action: 'case.face', target: out.caseId, details: { face: req.params.which } }));
      return reply.type('image/png').header('cache-control', 'private, no-store').send(Buffer.from(out.png));
    });
  };
}
