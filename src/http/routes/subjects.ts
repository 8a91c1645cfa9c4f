// Subjects of watchlists: enrollers of the owner agency (and admins) create, read and delete them.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { createSubject, deleteSampleFor, deleteSubjectFor, readSubject, readableSubjects } from '../../store/subject-admin.ts';
import type { Subject } from '../../store/subjects.ts';
import { principal } from '../auth.ts';
import { ErrorBody, IdParams, QueryInt, StrictObject, queryInt, WatchlistId, bearer, commonErrors } from '../schemas.ts';

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
/** Descriptive fields a notice commonly carries; anything else goes in `attributes`. */
const CreateSubject = StrictObject({
  watchlist: WatchlistId,
  reference: Type.Optional(Text(200)),
  name: Type.Optional(Text(500)),
  dateOfBirth: Type.Optional(Text(32)),
  nationality: Type.Optional(Text(64)),
  sex: Type.Optional(Text(16)),
  aliases: Type.Optional(Type.Array(Text(500), { maxItems: 50 })),
  notes: Type.Optional(Type.String({ maxLength: 5000 })),
  attributes: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), { maxProperties: 100 })),
});
const ListQuery = StrictObject({
  watchlist: Type.Optional(WatchlistId),
  reference: Type.Optional(Text(200)),
  limit: Type.Optional(QueryInt(500)),
  offset: Type.Optional(QueryInt()),
});
const SampleParams = StrictObject({
  id: Type.String({ maxLength: 128, description: 'subject id', examples: ['3f0c2a9e-5b7d-4c1e-9a61-2d8e4f7b1c05'] }),
  sampleId: Type.String({ maxLength: 32, description: 'sample id, as enrolment answered it', examples: ['1042'] }),
});
/** The error body inline (not by reference), so that a route can attach its own example. */
const { $id: _errorId, ...ErrorShape } = ErrorBody;
const SAMPLE_ROUTES = [['faces', 'face'], ['fingerprints', 'finger']] as const;
const READERS = ['admin', 'enroller', 'examiner'] as const;

const view = (s: Subject) => ({ id: s.id, watchlist: s.watchlist, reference: s.reference, name: s.name, attributes: s.attributes, samples: s.samples, createdAt: s.createdAt });

export function subjectRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Body: Static<typeof CreateSubject> }>('/v1/subjects', {
    config: { roles: ['admin', 'enroller'] },
    schema: { tags: ['subjects'], summary: 'Create a subject in a watchlist', security: bearer, body: CreateSubject, response: { ...commonErrors } },
  }, async (req, reply) => {
    const { watchlist, reference, name, attributes, ...described } = req.body;
    const s = await createSubject(ctx, principal(req), { watchlist, reference, name, attributes: { ...attributes, ...described } }, req.id);
    return reply.status(201).send(view(s));
  });

  app.get<{ Querystring: Static<typeof ListQuery> }>('/v1/subjects', {
    config: { roles: [...READERS] },
    schema: { tags: ['subjects'], summary: 'Subjects the caller may read', security: bearer, querystring: ListQuery },
  }, async (req) => ({
    subjects: (await readableSubjects(ctx, principal(req), {
      watchlist: req.query.watchlist, reference: req.query.reference,
      limit: queryInt(req.query.limit, 100, 1, 500), offset: queryInt(req.query.offset, 0, 0, 1_000_000),
    })).map(view),
  }));

  app.get<{ Params: Static<typeof IdParams> }>('/v1/subjects/:id', {
    config: { roles: [...READERS] },
    schema: { tags: ['subjects'], summary: 'One subject', security: bearer, params: IdParams },
  }, async (req) => view(await readSubject(ctx, principal(req), req.params.id, req.id)));

  app.delete<{ Params: Static<typeof IdParams> }>('/v1/subjects/:id', {
    config: { roles: ['admin', 'enroller'] },
    schema: { tags: ['subjects'], summary: 'Delete a subject and all its samples', security: bearer, params: IdParams },
  }, async (req, reply) => {
    ctx.samples.deleted(await deleteSubjectFor(ctx, principal(req), req.params.id, req.id));
    return reply.status(204).send();
  });

  for (const [path, modality] of SAMPLE_ROUTES) {
    app.delete<{ Params: Static<typeof SampleParams> }>(`/v1/subjects/:id/${path}/:sampleId`, {
      config: { roles: ['admin', 'enroller'] },
      schema: {
        tags: ['subjects'], summary: `Delete one ${modality} sample of a subject`, security: bearer, params: SampleParams,
        description: `Removes one enrolled ${modality} sample (a wrong ${modality === 'face' ? 'photo' : 'template'}) and keeps the subject and its other samples. `
          + 'The deletion is audited (sample.delete), and the sample is gone from every later check and verification, across restarts. '
          + 'Enrollers may delete only in their own agency\'s watchlists. 404 SAMPLE_NOT_FOUND when the subject holds no such sample.',
        response: {
          ...commonErrors,
          204: Type.Null({ description: 'deleted' }),
          404: { ...ErrorShape, description: 'no such subject, or no such sample of it', examples: [{ error: { code: 'SAMPLE_NOT_FOUND', message: `subject has no ${modality} sample 1042` } }] },
        },
      },
    }, async (req, reply) => {
      ctx.samples.deleted(await deleteSampleFor(ctx, principal(req), req.params.id, modality, req.params.sampleId, req.id));
      return reply.status(204).send();
    });
  }
}
