// API keys.
import { Type } from '@sinclair/typebox';
import { example, IsoTime, Nullable, UuidString, type OperationDocs } from './common.ts';

const Role = Type.Union(['admin', 'enroller', 'kiosk', 'examiner'].map((r) => Type.Literal(r)));
const Key = Type.Object({
  id: UuidString, role: Role, agency: Type.String(), label: Nullable(Type.String()), createdAt: IsoTime, revokedAt: Nullable(IsoTime),
});

export const keyDocs: OperationDocs = {
  'POST /v1/keys': {
    summary: 'Create an API key (its secret is shown once)',
    description: 'Creates a key for one role and agency: `admin` (keys, watchlists, everything), `enroller` (subjects and samples '
      + "of its agency's watchlists), `kiosk` (checks, verifications), `examiner` (checks, cases, hits). Only a hash of the secret "
      + 'is stored: keep the `key` of the answer. Admin only. Audited as `key.create`.',
    requestExample: { role: 'kiosk', agency: 'PT', label: 'Lisbon airport e-gate 4' },
    responses: {
      201: { description: 'the key, with its secret (shown this once)',
        schema: Type.Object({ id: UuidString, key: Type.String({ description: 'send as Authorization: Bearer <key>' }), role: Role, agency: Type.String() }),
        example: { id: example.keyId, key: 'bck_k3x9q2m7a1b4_Zr8sQ0vW3yT6uN1pL4kJ7hG2fD5cX9bV0mA3eR6tY8i', role: 'kiosk', agency: 'PT' } },
    },
    errors: [], kind: { body: true },
  },
  'GET /v1/keys/self': {
    summary: 'Who the calling key is: its role and agency',
    description: 'Any valid key may ask about itself (the web page signs in with it and picks its views by role). Never the secret. Not audited.',
    responses: {
      200: { description: 'the calling key', schema: Type.Object({ id: UuidString, role: Role, agency: Type.String(), label: Nullable(Type.String()) }),
        example: { id: example.keyId, role: 'examiner', agency: 'PT', label: 'Lisbon desk 4' } },
    },
    errors: [],
  },
  'GET /v1/keys': {
    summary: 'List API keys (never their secrets)',
    description: 'Every key, revoked ones included, oldest first. Admin only. Not audited (no secret is shown).',
    responses: {
      200: { description: 'the keys', schema: Type.Object({ keys: Type.Array(Key) }),
        example: { keys: [{ id: example.keyId, role: 'kiosk', agency: 'PT', label: 'Lisbon airport e-gate 4', createdAt: example.time, revokedAt: null }] } },
    },
    errors: [],
  },
  'DELETE /v1/keys/{id}': {
    summary: 'Revoke an API key',
    description: 'Revokes the key at once: its next request answers 401. A key cannot revoke itself. Admin only. Audited as `key.revoke`.',
    parameterExamples: { id: example.keyId },
    responses: { 204: { description: 'revoked' } },
    errors: ['KEY_NOT_FOUND', 'CONFLICT'],
  },
};
