/**
 * API keys as lists: an admin's list of every user's keys, and a user's own keys, which they may
 * revoke. A user naming another user's key gets 404 (KEY_NOT_FOUND), as for a key that does not
 * exist. Revoking the key the request was made with is allowed (a leaked key is revoked from the
 * session that holds it); the answer still arrives, and the next request with that key gets 401.
 * `last_used_at` is written at most once a minute per key, at authentication (never per request:
 * a key the cache remembers is not looked up at all), so it can lag by up to a minute plus
 * API_KEY_CACHE_SECONDS.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ReelqueueError } from '../../errors.js';
import type { OwnedApiKey } from '../../users/model.js';
import { callerOf, requireAdmin } from '../caller.js';
import type { ApiContext } from '../context.js';
import { errorResponses } from '../schemas/common.js';
import {
  AdminKeyListSchema,
  ApiKeySchema,
  KeyListQuery,
  KeyParams,
  OwnKeyListSchema,
} from '../schemas/admin.js';
import { keyToWire } from './admin.js';

const adminOnly = async (request: FastifyRequest) => requireAdmin(request);

function ownedKeyToWire(key: OwnedApiKey) {
  return { ...keyToWire(key), user_role: key.ownerRole, user_wallet_address: key.ownerWalletAddress };
}

export function keyRoutes(server: FastifyInstance, ctx: ApiContext): void {
  const { users } = ctx;

  server.get<{ Querystring: KeyListQuery }>(
    '/api/admin/keys',
    {
      onRequest: adminOnly,
      schema: {
        tags: ['admin'],
        summary: "Every user's API keys, with the owner's role and wallet, never the keys (admin)",
        querystring: KeyListQuery,
        response: { 200: AdminKeyListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const keys = await users.listAllKeys({ includeRevoked: request.query.include_revoked ?? false });
      return { keys: keys.map(ownedKeyToWire), count: keys.length };
    },
  );

  server.get<{ Querystring: KeyListQuery }>(
    '/api/users/me/keys',
    {
      schema: {
        tags: ['users'],
        summary: 'Your API keys (never the keys themselves) and which one this request used',
        querystring: KeyListQuery,
        response: { 200: OwnKeyListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const includeRevoked = request.query.include_revoked ?? false;
      const keys = (await users.listKeys(caller.userId)).filter((key) => includeRevoked || !key.revokedAt);
      return { keys: keys.map(keyToWire), count: keys.length, current_key_id: caller.keyId };
    },
  );

  server.delete<{ Params: KeyParams }>(
    '/api/users/me/keys/:idOrPrefix',
    {
      schema: {
        tags: ['users'],
        summary: 'Revoke one of your API keys by its id or prefix (404 for anyone else’s)',
        params: KeyParams,
        response: { 200: ApiKeySchema, ...errorResponses },
      },
    },
    async (request) => {
      try {
        return keyToWire(await users.revokeKey(request.params.idOrPrefix, callerOf(request).userId));
      } catch (error) {
        // The same answer whoever's the key is, and without the name asked for (as a job's 404).
        if (error instanceof ReelqueueError && error.code === 'KEY_NOT_FOUND') {
          throw new ReelqueueError('KEY_NOT_FOUND', 'You have no API key with this id or prefix');
        }
        throw error;
      }
    },
  );
}
