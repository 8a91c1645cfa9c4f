// The audit log.
import { Type } from '@sinclair/typebox';
import { example, IsoTime, Nullable, UuidString, type OperationDocs } from './common.ts';

const Entry = Type.Object({
  id: Type.Integer(), at: IsoTime, keyId: Nullable(UuidString), role: Nullable(Type.String()), agency: Nullable(Type.String()), action: Type.String(),
  target: Nullable(Type.String()), requestId: Nullable(Type.String()), details: Type.Unknown(), hash: Type.String({ description: 'hex sha256 chained to the previous entry' }),
});

export const auditDocs: OperationDocs = {
  'GET /v1/audit': {
    summary: 'Audit entries, newest first (page with ?before=<id>)',
    description: 'Every mutation, check, case read, decision and disclosure, filtered by `action`, `agency`, `keyId`, `target`, '
      + '`since`/`until` (ISO time); `limit` 1..1000 (default 100); `before` an entry id for the next page. Admin only. Audited as `audit.read`.',
    parameterExamples: { action: 'check.run', agency: 'PT', limit: '20' },
    responses: {
      200: { description: 'the entries', schema: Type.Object({ entries: Type.Array(Entry) }),
        example: { entries: [{ id: 1042, at: example.time, keyId: example.keyId, role: 'kiosk', agency: 'PT', action: 'check.run', target: example.checkId,
          requestId: '0cccfbe0-ddfa-4645-885f-027272ab686d', details: { decision: 'hit' }, hash: '9f2c5e0b7a1d4c3e8b6f0a2d4e6c8b0a1f3e5d7c9b1a3f5e7d9c1b3a5f7e9d1c' }] } },
    },
    errors: [],
  },
  'GET /v1/audit/verify': {
    summary: 'Recompute the hash chain of the whole audit log',
    description: 'Walks the whole log and recomputes each entry\'s hash and its link to the previous one: `ok` false names the first '
      + 'entry that was edited, removed or reordered. Admin only. Not audited.',
    responses: {
      200: { description: 'the verdict', schema: Type.Object({ ok: Type.Boolean(), entries: Type.Integer({ minimum: 0 }), firstBadId: Nullable(Type.Integer()), reason: Type.Optional(Type.String()) }),
        example: { ok: true, entries: 1043, firstBadId: null } },
    },
    errors: [],
  },
};
