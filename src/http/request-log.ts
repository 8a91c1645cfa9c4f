// One log line per request, written when it is answered (fastify's default is two: incoming and completed).
// Probes (health, readiness, metrics, docs) are polled every few seconds: they log at debug so that they do
// not bury the requests that matter.
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

const PROBES = /^\/(health|ready|metrics|docs)(\/|$|\?)/;

export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      responseTimeMs: Math.round(reply.elapsedTime * 10) / 10,
      ...(request.principal ? { keyId: request.principal.keyId } : {}),
    };
    if (error) reply.log.error({ ...line, err: error }, 'request failed');
    else if (PROBES.test(request.url)) reply.log.debug(line, 'request');
    else reply.log.info(line, 'request');
  }
}
