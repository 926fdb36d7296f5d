/**
 * Admin routes: users, their keys and points. An admin key only: a user gets 403 before the body is
 * even validated (the check runs as the route's onRequest hook, after authentication).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKey, User } from '../../users/model.js';
import { requireAdmin } from '../caller.js';
import type { ApiContext } from '../context.js';
import { errorResponses } from '../schemas/common.js';
import {
  AdminUserListSchema,
  AdminUserSchema,
  ApiKeySchema,
  CreatedKeySchema,
  CreatedUserSchema,
  CreateKeyBody,
  CreateUserBodyOrNull,
  KeyParams,
  PointsBody,
  UserIdParams,
  type CreateUserBody,
} from '../schemas/admin.js';

const TAG = ['admin'];
const adminOnly = async (request: FastifyRequest) => requireAdmin(request);
const KEY_LABEL = 'admin api';

function userToWire(user: User) {
  return {
    id: user.id,
    role: user.role,
    walletAddress: user.walletAddress,
    prompt_points: user.promptPoints,
    created_at: user.createdAt.toISOString(),
  };
}

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

export function keyToWire(key: ApiKey) {
  return {
    id: key.id,
    user_id: key.userId,
    prefix: key.prefix,
    label: key.label,
    created_at: key.createdAt.toISOString(),
    last_used_at: iso(key.lastUsedAt),
    revoked_at: iso(key.revokedAt),
  };
}

export function adminRoutes(server: FastifyInstance, ctx: ApiContext): void {
  const { users } = ctx;

  server.get(
    '/api/admin/users',
    {
      onRequest: adminOnly,
      schema: {
        tags: TAG,
        summary: 'Every user with their points (admin)',
        response: { 200: AdminUserListSchema, ...errorResponses },
      },
    },
    async () => {
      const all = await users.listUsers();
      return { users: all.map(userToWire), count: all.length };
    },
  );

  server.post<{ Body: CreateUserBody | null }>(
    '/api/admin/users',
    {
      onRequest: adminOnly,
      schema: {
        tags: TAG,
        summary: 'Create a user and its first API key, shown once (admin)',
        body: CreateUserBodyOrNull,
        response: { 201: CreatedUserSchema, 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const user = await users.createUser({
        ...(body.walletAddress !== undefined && { walletAddress: body.walletAddress }),
        ...(body.points !== undefined && { points: body.points }),
        ...(body.role !== undefined && { role: body.role }),
      });
      const key = await users.createKey(user.id, KEY_LABEL);
      return reply.status(201).send({
        user: userToWire(user),
        key: { id: key.id, user_id: user.id, prefix: key.prefix, key: key.key },
      });
    },
  );

  server.post<{ Params: UserIdParams; Body: { label?: string } | null }>(
    '/api/admin/users/:id/keys',
    {
      onRequest: adminOnly,
      schema: {
        tags: TAG,
        summary: 'Create an API key for a user, shown once (admin)',
        params: UserIdParams,
        body: CreateKeyBody,
        response: { 201: CreatedKeySchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const key = await users.createKey(request.params.id, request.body?.label ?? KEY_LABEL);
      return reply
        .status(201)
        .send({ id: key.id, user_id: request.params.id, prefix: key.prefix, key: key.key });
    },
  );

  server.delete<{ Params: KeyParams }>(
    '/api/admin/keys/:idOrPrefix',
    {
      onRequest: adminOnly,
      schema: {
        tags: TAG,
        summary: 'Revoke an API key by its id or prefix (admin)',
        params: KeyParams,
        response: { 200: ApiKeySchema, ...errorResponses },
      },
    },
    async (request) => keyToWire(await users.revokeKey(request.params.idOrPrefix)),
  );

  server.post<{ Params: UserIdParams; Body: { delta: number } }>(
    '/api/admin/users/:id/points',
    {
      onRequest: adminOnly,
      schema: {
        tags: TAG,
        summary: "Add to (or, with a negative delta, take from) a user's points (admin)",
        params: UserIdParams,
        body: PointsBody,
        response: { 200: AdminUserSchema, 402: errorResponses[400], ...errorResponses },
      },
    },
    async (request) => userToWire(await users.adjustPoints(request.params.id, request.body.delta)),
  );
}
