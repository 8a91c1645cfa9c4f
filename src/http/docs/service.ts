// Probes (liveness, readiness) and the metrics endpoint.
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
  'GET /metrics': {
    summary: 'Prometheus metrics: requests, checks, enrolments, refusals, galleries, indexes, backlogs',
    description: 'Prometheus text format. Needs an admin key or the scrape token set in BIOCHECK_METRICS_TOKEN (Authorization: Bearer …): '
      + 'per-watchlist figures would tell anyone the size and hit rate of a hit/no-hit list. Watchlists are labelled by id, never by name. '
      + 'Figures read from PostgreSQL (subjects, samples, case and disclosure backlogs) are cached for 10 s, so frequent scrapes cost the database nothing more. '
      + 'Not audited; logged at debug level. The metrics and what to alert on: docs/operations.md; a Grafana dashboard: docs/grafana/biocheck-dashboard.json.',
    responses: {
      200: {
        description: 'the metrics (text/plain; version=0.0.4)', mediaType: 'text/plain', schema: Type.String(),
        example: '# HELP biocheck_checks_total Checks decided, by decision and mode\n# TYPE biocheck_checks_total counter\n'
          + 'biocheck_checks_total{decision="no-hit",mode="standard"} 1520\nbiocheck_checks_total{decision="hit",mode="standard"} 3\n'
          + '# HELP biocheck_cases_pending Cases waiting for an examiner\n# TYPE biocheck_cases_pending gauge\nbiocheck_cases_pending 2\n',
      },
    },
    errors: [],
  },
};
