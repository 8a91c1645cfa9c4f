// Bearer-key authentication and role checks for /v1. Routes declare `config: { roles: [...] }`.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { authenticate, type Principal, type Role } from '../store/keys.ts';
import { RateLimiter } from './rate-limit.ts';

declare module 'fastify' {
  interface FastifyRequest { principal?: Principal }
  interface FastifyContextConfig {
    roles?: Role[];
    /** A credential of the route's own, accepted beside keys of its roles (the metrics scrape token). */
    token?: (presented: string) => boolean;
  }
}

/** The authenticated caller; routes behind the auth hook always have one. */
export function principal(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('UNAUTHORIZED', 'missing or invalid API key');
  return request.principal;
}

/** The key in `Authorization: Bearer <key>`, if the header has that form. */
export function bearerKey(request: FastifyRequest): string | null {
  const h = request.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m ? m[1] : null;
}

/** The audit fields that identify the caller. */
export const actor = (p: Principal) => ({ keyId: p.keyId, role: p.role, agency: p.agency });

export function installAuth(app: FastifyInstance, ctx: AppContext): void {
  const limiter = new RateLimiter(ctx.config.rateLimit.perSecond, ctx.config.rateLimit.burst);
  app.addHook('onRequest', async (request) => {
    const roles = request.routeOptions.config?.roles;
    if (!roles) return; // public route (health, ready, docs)
    const key = bearerKey(request);
    if (!key) throw new AppError('UNAUTHORIZED', 'missing API key: send Authorization: Bearer <key>');
    if (request.routeOptions.config?.token?.(key)) return;
    const p = await authenticate(ctx.db, key);
    if (!p) throw new AppError('UNAUTHORIZED', 'invalid or revoked API key');
    request.principal = p;
    const wait = limiter.take(p.keyId);
    if (wait > 0) throw new AppError('RATE_LIMITED', 'too many requests for this key', undefined, wait);
    if (!roles.includes(p.role)) throw new AppError('FORBIDDEN', `role '${p.role}' may not call this route`);
  });
}
