// The web application (web/, built into web/dist by the install step) served at / by the service itself, with a
// strict Content-Security-Policy: scripts, styles, images and API calls only from this origin, nothing inline.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../errors.ts';

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/** camera: the field check's photo; blob:/data: images are the picked photo and the API's base64 samples. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:", "media-src 'self' blob:",
  "connect-src 'self'", "font-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.map': 'application/json',
};

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply.header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('permissions-policy', 'camera=(self), microphone=(), geolocation=()')
    .header('cross-origin-opener-policy', 'same-origin');
}

/** The built files, read once: a handful of small files, and nothing on disk is looked up per request. */
function loadDist(dir: string): Map<string, { type: string; body: Buffer }> {
  const files = new Map<string, { type: string; body: Buffer }>();
  if (!existsSync(dir)) return files;
  for (const name of readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (type) files.set(name, { type, body: readFileSync(path.join(dir, name)) });
  }
  return files;
}

export function webRoutes(app: FastifyInstance, dir = WEB_DIST): void {
  const files = loadDist(dir);
  const send = (reply: FastifyReply, name: string) => {
    const f = files.get(name);
    if (!f) {
      throw name === 'index.html'
        ? new AppError('NOT_FOUND', 'the web application is not built: run `npm run build:web` (part of npm ci / npm install)')
        : new AppError('NOT_FOUND', 'no such file');
    }
    // The page always revalidates (it names the current bundle); the bundle is small.
    return securityHeaders(reply).type(f.type).header('cache-control', 'no-cache').send(f.body);
  };
  const hide = { hide: true };
  app.get('/', { schema: { ...hide, summary: 'The web application' } }, async (_req, reply) => send(reply, 'index.html'));
  app.get<{ Params: { file: string } }>('/app/:file', { schema: { ...hide, summary: 'The web application\'s files' } },
    async (req, reply) => send(reply, req.params.file));
}
