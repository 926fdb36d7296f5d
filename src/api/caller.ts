/**
 * Who is calling: resolved once per request from `Authorization: Bearer <key>`. Routes turn it into
 * a `Scope`, so every query a user can reach is filtered by owner in SQL.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ALL_JOBS, ownedBy, type Scope } from '../jobs/store.js';
import { HttpError } from './http-errors.js';

export interface Caller {
  userId: string;
  role: 'user' | 'admin';
  walletAddress: string | null;
  keyId: string;
}

export interface Authenticator {
  authenticate(plainKey: string): Promise<Caller | null>;
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
export function scopeOf(request: FastifyRequest): Scope {
  const caller = callerOf(request);
  return caller.role === 'admin' ? ALL_JOBS : ownedBy(caller.userId);
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

/** A preHandler that resolves the caller, answering 401 for a missing, malformed or revoked key. */
export function authenticateWith(authenticator: Authenticator) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!match?.[1]) throw new HttpError('UNAUTHORIZED', 'Send an API key: Authorization: Bearer <key>');
    const caller = await authenticator.authenticate(match[1]);
    if (!caller) throw new HttpError('UNAUTHORIZED', 'This API key is not valid (unknown or revoked)');
    request.caller = caller;
  };
}
