// Managing subjects: who may read or change one, and the audited changes (create, delete a subject, delete one
// sample). Deletions return the sample ids for the caller to announce (ctx.samples.deleted) after the commit.
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { appendAudit } from './audit.ts';
import type { Principal } from './keys.ts';
import { deleteSample } from './samples.ts';
import { DELETION_RETRIES, deleteSubject, getSubject, insertSubject, listSubjects, lockSubject, type Subject } from './subjects.ts';
import { getWatchlist, listWatchlists, mayManage, maySeeIdentity, type Watchlist } from './watchlists.ts';

const by = (p: Principal) => ({ keyId: p.keyId, role: p.role, agency: p.agency });
export type DeletedSamples = { face: number[]; finger: number[] };

/** Who may read a subject's record: its managers, and examiners entitled to see its identity. */
export function mayRead(p: Principal, w: Watchlist): boolean {
  if (mayManage(p, w)) return true;
  return p.role === 'examiner' && maySeeIdentity(p, w);
}

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

export interface NewSubject { watchlist: string; reference?: string; name?: string; attributes: Record<string, unknown> }

/** Creates a subject in a watchlist the caller manages. Audited as subject.create. */
export async function createSubject(ctx: AppContext, p: Principal, s: NewSubject, requestId: string): Promise<Subject> {
  const w = await getWatchlist(ctx.db, s.watchlist);
  if (!w) throw new AppError('WATCHLIST_NOT_FOUND', `no watchlist '${s.watchlist}'`);
  if (!mayManage(p, w)) throw new AppError('FORBIDDEN', `agency ${p.agency} may not enrol into watchlist '${w.id}' (owned by ${w.agency})`);
  return ctx.db.tx(async (c) => {
    const created = await insertSubject(c, { watchlist: s.watchlist, reference: s.reference ?? null, name: s.name ?? null, attributes: s.attributes, createdBy: p.keyId })
      .catch((e: { code?: string }) => {
        if (e.code === '23505') throw new AppError('CONFLICT', `reference '${s.reference}' exists already in watchlist '${s.watchlist}'`);
        throw e;
      });
    await appendAudit(c, { ...by(p), requestId, action: 'subject.create', target: created.id, details: { watchlist: s.watchlist } });
    return created;
  });
}

/** The subjects of the watchlists the caller may read (or of one of them). */
export async function readableSubjects(ctx: AppContext, p: Principal, f: { watchlist?: string; reference?: string; limit: number; offset: number }): Promise<Subject[]> {
  const readable = (await listWatchlists(ctx.db)).filter((w) => mayRead(p, w)).map((w) => w.id);
  if (f.watchlist && !readable.includes(f.watchlist)) throw new AppError('WATCHLIST_NOT_FOUND', `no readable watchlist '${f.watchlist}'`);
  return listSubjects(ctx.db, { watchlists: f.watchlist ? [f.watchlist] : readable, reference: f.reference, limit: f.limit, offset: f.offset });
}

/** One subject's record. Audited as subject.read. */
export async function readSubject(ctx: AppContext, p: Principal, id: string, requestId: string): Promise<Subject> {
  const { subject } = await subjectFor(ctx, p, id, 'read');
  await ctx.db.tx((c) => appendAudit(c, { ...by(p), requestId, action: 'subject.read', target: subject.id }));
  return subject;
}

/** Deletes a subject and all its samples. Audited as subject.delete. */
export async function deleteSubjectFor(ctx: AppContext, p: Principal, id: string, requestId: string): Promise<DeletedSamples> {
  await subjectFor(ctx, p, id, 'manage');
  return ctx.db.tx(async (c) => {
    const d = await deleteSubject(c, id);
    if (!d) throw new AppError('SUBJECT_NOT_FOUND', 'no such subject');
    await appendAudit(c, { ...by(p), requestId, action: 'subject.delete', target: id, details: { faces: d.face.length, fingers: d.finger.length } });
    return d;
  }, DELETION_RETRIES);
}

/** Deletes one sample of a subject, keeping the subject and its other samples. Audited as sample.delete. */
export async function deleteSampleFor(ctx: AppContext, p: Principal, id: string, modality: 'face' | 'finger', sampleParam: string, requestId: string): Promise<DeletedSamples> {
  const { subject } = await subjectFor(ctx, p, id, 'manage');
  const sampleId = /^[0-9]{1,15}$/.test(sampleParam) ? Number(sampleParam) : null;
  await ctx.db.tx(async (c) => {
    if (!(await lockSubject(c, subject.id))) throw new AppError('SUBJECT_NOT_FOUND', 'no such subject');
    if (sampleId === null || !(await deleteSample(c, subject.id, modality, sampleId))) {
      throw new AppError('SAMPLE_NOT_FOUND', `subject has no ${modality} sample ${sampleParam}`);
    }
    await appendAudit(c, { ...by(p), requestId, action: 'sample.delete', target: subject.id, details: { modality, sample: sampleId } });
  }, DELETION_RETRIES);
  return { face: modality === 'face' ? [sampleId!] : [], finger: modality === 'finger' ? [sampleId!] : [] };
}
