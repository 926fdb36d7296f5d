/**
 * Who is calling: resolved once per request from `Authorization: Bearer <key>`. Routes turn it into
 * a `Scope`, so every query a user can reach is filtered by owner in SQL.
 */
import type { FastifyRequest } from 'fastify';
import { ALL_JOBS, ownedBy, type Scope } from '../jobs/store.js';
import { HttpError } from './http-errors.js';

export interface Caller {
  userId: string;
  role: 'user' | 'admin';
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
