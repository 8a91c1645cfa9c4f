// Probes: liveness and readiness.
import { Type } from '@sinclair/typebox';
import type { OperationDocs } from './common.ts';

const Ready = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not-ready')]),
  checks: Type.Record(Type.String(), Type.Boolean(), { description: 'each readiness condition: database, face, finger, ...' }),
});

export const serviceDocs: OperationDocs = {
  'GET /health': {
    summary: 'Liveness: the process answers',
    description: 'Answers 200 as soon as the process listens, also while models load. Public, not audited; logged at debug level.',
    responses: { 200: { description: 'the process is alive', schema: Type.Object({ status: Type.Literal('ok') }), example: { status: 'ok' } } },
    errors: [], kind: { public: true },
  },
  'GET /ready': {
    summary: 'Readiness: database reachable, models loaded, indexes built',
    description: 'Answers 200 when every readiness condition holds, else 503 with Retry-After and the conditions that do not. '
      + 'Route traffic to the instance only when ready. Public, not audited; logged at debug level.',
    responses: {
      200: { description: 'ready to serve checks', schema: Ready, example: { status: 'ready', checks: { database: true, face: true, finger: true } } },
      503: { description: 'not ready yet (models loading, index building) or the database is down', schema: Ready,
        example: { status: 'not-ready', checks: { database: true, face: false, finger: true } } },
    },
    errors: [], kind: { public: true },
  },
};
