// ANSI/NIST-ITL transactions on the HTTP routes: Type-9 minutiae, Type-4/13/14 finger images and Type-10 faces do what the JSON
// fields do; `Accept: application/vnd.ansi-nist-itl` on a check answers with a Type-1 + Type-2 transaction.
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import type { CheckOutcome, CheckInput } from '../fusion/check.ts';
import { buildCheckResponseTransaction, extractProbes, ITL_CONTENT_TYPE, parseTransaction, type1Info, writeTransaction } from '../ingest/itl/index.ts';
import type { CandidateView } from '../cases/views.ts';
import type { CheckBodyParser, CheckResponder } from './routes/checks.ts';
import type { EnrolBodyParser } from './routes/enrol.ts';
import type { FingerProbeInput } from '../fusion/modalities.ts';
import type { ItlFingerImageProbe } from '../ingest/itl/probes.ts';
import { rawViewRecord } from '../ingest/image-records/finger-image-record.ts';

/** Our identifier in the ORI of response transactions. */
const SERVICE_ORI = 'BIOCHECK';

declare module 'fastify' {
  interface FastifyRequest { itlRequest?: { ori?: string; tcn?: string } }
}

function read(body: Buffer, req: FastifyRequest) {
  const t = parseTransaction(new Uint8Array(body));
  const info = type1Info(t);
  req.itlRequest = { ori: info.originatingAgency, tcn: info.transactionControlNumber };
  const probes = extractProbes(t);
  const source = new Uint8Array(body);
  return {
    faces: probes.faces.map((f) => ({ image: f.image, format: `itl-type10:${f.format}` })),
    fingers: [
      ...probes.fingers.map((f) => ({ minutiae: f.minutiae, position: f.position, format: 'ansi-nist-itl', source })),
      // Type-9 minutiae are usually those of the transaction's own images: when present they are used
      // as sent; the images are read only when the transaction carries no minutiae.
      ...(probes.fingers.length ? [] : probes.fingerImages.map((f) => fingerImageInput(f, source))),
    ],
    notes: probes.notes,
  };
}

/** A Type-4/13/14 image as a probe finger: encoded images as they are, raw pixels as a 19794-4 record. */
function fingerImageInput(f: ItlFingerImageProbe, source: Uint8Array): FingerProbeInput {
  const single = f.positions.filter((p) => p >= 1 && p <= 10);
  const position = single.length === 1 ? single[0] : undefined;
  if (f.format !== 'raw') return { image: f.image, ppi: f.ppi, position, format: 'ansi-nist-itl', source };
  if (f.width === undefined || f.height === undefined) throw new AppError('ITL_MALFORMED', `record ${f.record}: uncompressed image without its dimensions`, { record: f.record });
  return { image: rawViewRecord(f.width, f.height, f.image, f.ppi ?? 500, position ?? 0), position, format: 'ansi-nist-itl', source };
}

export const itlEnrolParser: EnrolBodyParser = (body, req) => read(body, req);

export const itlCheckParser: CheckBodyParser = (body, req): CheckInput => {
  const p = read(body, req);
  if (!p.faces.length && !p.fingers.length) {
    throw new AppError('ITL_UNSUPPORTED', `the transaction holds no Type-9 minutiae, Type-4/13/14 finger image or Type-10 face${p.notes.length ? ` (${p.notes.join('; ')})` : ''}`);
  }
  return { face: p.faces[0], fingers: p.fingers, limit: 10 };
};

export const itlResponder: CheckResponder = (outcome: CheckOutcome, json, req) => {
  const accept = String(req.headers.accept ?? '');
  if (!accept.toLowerCase().includes(ITL_CONTENT_TYPE)) return null;
  const candidates = (json.candidates as CandidateView[]).map((c) => ({
    handle: c.handle, watchlist: c.watchlist, score: c.score, reference: c.reference ?? undefined, name: c.name ?? undefined,
  }));
  const t = buildCheckResponseTransaction({
    checkId: outcome.checkId, decision: outcome.decision, candidates,
    originatingAgency: SERVICE_ORI,
    destinationAgency: req.itlRequest?.ori ?? req.principal?.agency ?? 'UNKNOWN',
    transactionControlNumber: outcome.checkId.replace(/-/g, '').slice(0, 32),
    transactionControlReference: req.itlRequest?.tcn,
  });
  return { contentType: ITL_CONTENT_TYPE, body: writeTransaction(t) };
};

export const ITL_PARSERS = { [ITL_CONTENT_TYPE]: itlCheckParser };
export const ITL_ENROL_PARSERS = { [ITL_CONTENT_TYPE]: itlEnrolParser };
