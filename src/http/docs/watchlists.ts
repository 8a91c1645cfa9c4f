// Watchlists.
import { Type } from '@sinclair/typebox';
import { IsoTime, Nullable, type OperationDocs } from './common.ts';

const Watchlist = Type.Object({
  id: Type.String(), name: Type.String(), agency: Type.String({ description: 'owner agency' }),
  disclosure: Type.Union([Type.Literal('full'), Type.Literal('hit-no-hit')], {
    description: 'full: searching agencies see who matched; hit-no-hit: they see an opaque handle until the owner discloses',
  }),
  searchableBy: Nullable(Type.Array(Type.String(), { description: 'agencies that may search it; null: every agency' })),
  description: Nullable(Type.String()),
  thresholds: Type.Object({
    hitFpir: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'per check of someone not on the list, the chance of a false hit from it' }),
    reviewFpir: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'the same for a false review (the looser threshold)' }),
  }),
  createdAt: IsoTime,
});
const wl = {
  id: 'fr-wanted', name: 'FR wanted persons', agency: 'FR', disclosure: 'hit-no-hit', searchableBy: null,
  description: 'Persons sought for arrest (national list)', thresholds: { hitFpir: 0.001, reviewFpir: 0.01 }, createdAt: '2026-11-30T08:00:00.000Z',
};

export const watchlistDocs: OperationDocs = {
  'POST /v1/watchlists': {
    summary: 'Create a watchlist',
    description: 'Creates a watchlist owned by `agency`, with its disclosure mode and per-search thresholds (FPIR: the chance that '
      + 'checking someone who is not on the list flags a candidate from it; the score a candidate needs grows with the list\'s '
      + 'size, see docs/scores.md). `reviewFpir` must be at least `hitFpir`. Admin only. Audited as `watchlist.create`.',
    requestExample: { id: 'fr-wanted', name: 'FR wanted persons', agency: 'FR', disclosure: 'hit-no-hit', description: 'Persons sought for arrest (national list)', hitFpir: 0.001, reviewFpir: 0.01 },
    responses: { 201: { description: 'created', schema: Watchlist, example: wl } },
    errors: ['WATCHLIST_EXISTS'], kind: { body: true },
  },
  'GET /v1/watchlists': {
    summary: 'Watchlists the caller may enrol into or search',
    description: "Admins see all; other roles see their agency's watchlists and those their agency may search. Any role. Not audited.",
    responses: { 200: { description: 'the watchlists', schema: Type.Object({ watchlists: Type.Array(Watchlist) }), example: { watchlists: [wl] } } },
    errors: [],
  },
  'GET /v1/watchlists/{id}': {
    summary: 'One watchlist',
    description: 'A watchlist the caller may see; `subjects` (how many live subjects it holds) only for its managers (owner agency, '
      + 'admins): a searching agency never learns the size of a list. Any role. Not audited.',
    parameterExamples: { id: 'fr-wanted' },
    responses: {
      200: { description: 'the watchlist', schema: Type.Composite([Watchlist, Type.Object({ subjects: Type.Optional(Type.Integer({ minimum: 0 })) })]),
        example: { ...wl, subjects: 1284 } },
    },
    errors: ['WATCHLIST_NOT_FOUND'],
  },
  'DELETE /v1/watchlists/{id}': {
    summary: 'Delete a watchlist (with ?force=true, its subjects and samples too)',
    description: 'Removes the watchlist from every read and search. A list that still holds subjects answers 409 unless '
      + '`force=true`, which deletes its subjects and their samples (biometric data) as well. Admin only. Audited as `watchlist.delete`.',
    parameterExamples: { id: 'fr-wanted', force: 'true' },
    responses: { 204: { description: 'deleted' } },
    errors: ['WATCHLIST_NOT_FOUND', 'CONFLICT'],
  },
};
