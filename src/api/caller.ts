/**
 * Who is calling: resolved once per request from `Authorization: Bearer <key>`. Routes turn it into
 * a `Scope`, so every query a user can reach is filtered by owner in SQL.
 */
import type { FastifyRequest } from 'fastify';
import { ALL_JOBS, ownedBy, type Scope } from '../jobs/store.js';
import type { UserRole } from '../users/model.js';
import { HttpError } from './http-errors.js';

export interface Caller {
  userId: string;
  role: UserRole;
  walletAddress: string | null;
  keyId: string;
}

export interface Authenticator {
  /** The caller, or null for a wrong key; a remembered answer comes back at once, not as a promise. */
  authenticate(plainKey: string): Caller | null | Promise<Caller | null>;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
  }
}

export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new HttpError('UNAUTHORIZED', 'Send an API key: Authorization: Bearer <key>');
  return request.caller;
}

/** Admins see every job; a user only their own. */
export function scopeOfCaller(caller: Caller): Scope {
  return caller.role === 'admin' ? ALL_JOBS : ownedBy(caller.userId);
}

export function scopeOf(request: FastifyRequest): Scope {
  return scopeOfCaller(callerOf(request));
}

/** Jobs a caller creates always belong to the caller, admins included. */
export function ownScopeOf(request: FastifyRequest): Scope {
  return ownedBy(callerOf(request).userId);
}

/**
 * The only routes a service key may call (least privilege): seed 004's, where it acts for the wallet
 * named in the request (the route resolves that wallet's user). Everything else answers 403.
 */
export const SERVICE_ROUTES: ReadonlySet<string> = new Set([
  '/api/generate',
  '/api/videos/status/:jobId',
  '/api/videos/:jobId',
  '/api/videos/:jobId/thumbnail',
  '/api/videos/:jobId/captions.vtt',
]);

/** Refuses a service key outside SERVICE_ROUTES; other roles pass. */
export function refuseServiceOutsideItsRoutes(request: FastifyRequest): void {
  if (request.caller?.role !== 'service') return;
  if (SERVICE_ROUTES.has(request.routeOptions.url ?? '')) return;
  throw new HttpError(
    'FORBIDDEN',
    `A service key may only call ${[...SERVICE_ROUTES].join(', ')}; use an admin or user key for this route`,
  );
}

export function requireAdmin(request: FastifyRequest): void {
  if (callerOf(request).role !== 'admin') {
    throw new HttpError('FORBIDDEN', 'This needs an admin key');
  }
}

const BEARER = /^Bearer\s+(\S{8,512})$/i;

/** The key in `Authorization: Bearer <key>`, or null when the header is missing or malformed. */
export function presentedKey(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  return (typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined) ?? null;
}

/**
 * Resolves the caller, answering 401 (thrown) for a missing, malformed or revoked key. Returns a
 * promise only when the key had to be looked up: a remembered key costs the request no promise.
 */
export function authenticateWith(authenticator: Authenticator) {
  const accept = (request: FastifyRequest, caller: Caller | null): void => {
    if (!caller) throw new HttpError('UNAUTHORIZED', 'This API key is not valid (unknown or revoked)');
    request.caller = caller;
  };
  return (request: FastifyRequest): Promise<void> | undefined => {
    const key = presentedKey(request);
    if (!key) throw new HttpError('UNAUTHORIZED', 'Send an API key: Authorization: Bearer <key>');
    const answer = authenticator.authenticate(key);
    if (answer instanceof Promise) return answer.then((caller) => accept(request, caller));
    accept(request, answer);
    return undefined;
  };
}
