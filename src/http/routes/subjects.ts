// Subjects of watchlists: enrollers of the owner agency (and admins) create, read and delete them.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { appendAudit } from '../../store/audit.ts';
import type { Principal } from '../../store/keys.ts';
import { deleteSample } from '../../store/samples.ts';
import { DELETION_RETRIES, deleteSubject, getSubject, insertSubject, listSubjects, lockSubject, type Subject } from '../../store/subjects.ts';
import { getWatchlist, listWatchlists, mayManage, maySeeIdentity, type Watchlist } from '../../store/watchlists.ts';
import { actor, principal } from '../auth.ts';
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

/** Who may read a subject's record: its managers, and examiners entitled to see its identity. */
export function mayRead(p: Principal, w: Watchlist): boolean {
  if (mayManage(p, w)) return true;
  return p.role === 'examiner' && maySeeIdentity(p, w);
}

const view = (s: Subject) => ({ id: s.id, watchlist: s.watchlist, reference: s.reference, name: s.name, attributes: s.attributes, samples: s.samples, createdAt: s.createdAt });

/** Loads a live subject the caller may act on, or throws 404/403 (403 only where its existence is no secret). */
export async function subjectFor(ctx: AppContext, p: Principal, id: string, need: 'read' | 'manage'): Promise<{ subject: Subject; watchlist: Watchlist }> {
  const subject = await getSubject(ctx.db, id);
  const watchlist = subject ? await getWatchlist(ctx.db, subject.watchlist) : null;
  if (!subject || !watchlist) throw new AppError('SUBJECT_NOT_FOUND', 'no such subject');
  const ok = need === 'manage' ? mayManage(p, watchlist) : mayRead(p, watchlist);
  if (!ok) {
    // A withheld (hit/no-hit) watchlist must not confirm that the id exists to another agency.
    if (!maySeeIdentity(p, watchlist)) throw new AppError('SUBJECT_NOT_FOUND', 'no such subject');
    throw new AppError('FORBIDDEN', `this key may not ${need === 'manage' ? 'change' : 'read'} subjects of watchlist '${watchlist.id}'`);
  }
  return { subject, watchlist };
}

export function subjectRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Body: Static<typeof CreateSubject> }>('/v1/subjects', {
    config: { roles: ['admin', 'enroller'] },
    schema: { tags: ['subjects'], summary: 'Create a subject in a watchlist', security: bearer, body: CreateSubject, response: { ...commonErrors } },
  }, async (req, reply) => {
    const p = principal(req);
    const w = await getWatchlist(ctx.db, req.body.watchlist);
    if (!w) throw new AppError('WATCHLIST_NOT_FOUND', `no watchlist '${req.body.watchlist}'`);
    if (!mayManage(p, w)) throw new AppError('FORBIDDEN', `agency ${p.agency} may not enrol into watchlist '${w.id}' (owned by ${w.agency})`);
    const { watchlist, reference, name, attributes, ...described } = req.body;
    const s = await ctx.db.tx(async (c) => {
      const created = await insertSubject(c, { watchlist, reference: reference ?? null, name: name ?? null, attributes: { ...attributes, ...described }, createdBy: p.keyId })
        .catch((e: { code?: string }) => {
          if (e.code === '23505') throw new AppError('CONFLICT', `reference '${reference}' exists already in watchlist '${watchlist}'`);
          throw e;
        });
      await appendAudit(c, { ...actor(p), requestId: req.id, action: 'subject.create', target: created.id, details: { watchlist } });
      return created;
    });
    return reply.status(201).send(view(s));
  });

  app.get<{ Querystring: Static<typeof ListQuery> }>('/v1/subjects', {
    config: { roles: [...READERS] },
    schema: { tags: ['subjects'], summary: 'Subjects the caller may read', security: bearer, querystring: ListQuery },
  }, async (req) => {
    const p = principal(req);
    const readable = (await listWatchlists(ctx.db)).filter((w) => mayRead(p, w)).map((w) => w.id);
    if (req.query.watchlist && !readable.includes(req.query.watchlist)) throw new AppError('WATCHLIST_NOT_FOUND', `no readable watchlist '${req.query.watchlist}'`);
    const subjects = await listSubjects(ctx.db, {
      watchlists: req.query.watchlist ? [req.query.watchlist] : readable,
      reference: req.query.reference, limit: queryInt(req.query.limit, 100, 1, 500), offset: queryInt(req.query.offset, 0, 0, 1_000_000),
    });
    return { subjects: subjects.map(view) };
  });

  app.get<{ Params: Static<typeof IdParams> }>('/v1/subjects/:id', {
    config: { roles: [...READERS] },
    schema: { tags: ['subjects'], summary: 'One subject', security: bearer, params: IdParams },
  }, async (req) => {
    const p = principal(req);
    const { subject } = await subjectFor(ctx, p, req.params.id, 'read');
    await ctx.db.tx((c) => appendAudit(c, { ...actor(p), requestId: req.id, action: 'subject.read', target: subject.id }));
    return view(subject);
  });

  app.delete<{ Params: Static<typeof IdParams> }>('/v1/subjects/:id', {
    config: { roles: ['admin', 'enroller'] },
    schema: { tags: ['subjects'], summary: 'Delete a subject and all its samples', security: bearer, params: IdParams },
  }, async (req, reply) => {
    const p = principal(req);
    await subjectFor(ctx, p, req.params.id, 'manage');
    const deleted = await ctx.db.tx(async (c) => {
      const d = await deleteSubject(c, req.params.id);
      if (!d) throw new AppError('SUBJECT_NOT_FOUND', 'no such subject');
      await appendAudit(c, { ...actor(p), requestId: req.id, action: 'subject.delete', target: req.params.id, details: { faces: d.face.length, fingers: d.finger.length } });
      return d;
    }, DELETION_RETRIES);
    ctx.samples.deleted(deleted);
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
      const p = principal(req);
      const { subject } = await subjectFor(ctx, p, req.params.id, 'manage');
      const sampleId = /^[0-9]{1,15}$/.test(req.params.sampleId) ? Number(req.params.sampleId) : null;
      await ctx.db.tx(async (c) => {
        if (!(await lockSubject(c, subject.id))) throw new AppError('SUBJECT_NOT_FOUND', 'no such subject');
        if (sampleId === null || !(await deleteSample(c, subject.id, modality, sampleId))) {
          throw new AppError('SAMPLE_NOT_FOUND', `subject has no ${modality} sample ${req.params.sampleId}`);
        }
        await appendAudit(c, { ...actor(p), requestId: req.id, action: 'sample.delete', target: subject.id, details: { modality, sample: sampleId } });
      }, DELETION_RETRIES);
      ctx.samples.deleted({ face: modality === 'face' ? [sampleId!] : [], finger: modality === 'finger' ? [sampleId!] : [] });
      return reply.status(204).send();
    });
  }
}
