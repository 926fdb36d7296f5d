/** Request and response schemas of the admin routes (`/api/admin/...`): users, keys and points. */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable, StringEnum } from './json-types.js';
import { USER_ROLES } from '../../users/model.js';

const Role = StringEnum(USER_ROLES);

/** A user as an admin sees it: never the webhook secret nor the keys themselves. */
export const AdminUserSchema = Type.Object({
  id: Type.String(),
  role: Role,
  walletAddress: Nullable(Type.String()),
  prompt_points: Type.Integer(),
  created_at: Type.String({ format: 'date-time' }),
});

export const AdminUserListSchema = Type.Object({
  users: Type.Array(AdminUserSchema),
  count: Type.Integer(),
});

export const CreatedKeySchema = Type.Object({
  id: Type.String(),
  user_id: Type.String(),
  prefix: Type.String(),
  /** The plain key: shown in this answer only. */
  key: Type.String(),
});

export const CreateUserBody = Type.Object(
  {
    walletAddress: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    points: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
    role: Type.Optional(Role),
  },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBody>;
export const CreateUserBodyOrNull = Type.Union([CreateUserBody, Type.Null()]);

export const CreatedUserSchema = Type.Object({ user: AdminUserSchema, key: CreatedKeySchema });

export const CreateKeyBody = Type.Union([
  Type.Object(
    { label: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
    { additionalProperties: false },
  ),
  Type.Null(),
]);
export type CreateKeyBody = { label?: string } | null;

export const PointsBody = Type.Object(
  { delta: Type.Integer({ minimum: -1_000_000_000, maximum: 1_000_000_000 }) },
  { additionalProperties: false },
);
export type PointsBody = Static<typeof PointsBody>;

export const ApiKeySchema = Type.Object({
  id: Type.String(),
  user_id: Type.String(),
  prefix: Type.String(),
  label: Nullable(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  last_used_at: Nullable(Type.String({ format: 'date-time' })),
  revoked_at: Nullable(Type.String({ format: 'date-time' })),
});

export const UserIdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);
export type UserIdParams = Static<typeof UserIdParams>;

export const KeyParams = Type.Object(
  { idOrPrefix: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);
export type KeyParams = Static<typeof KeyParams>;

export const KeyListQuery = Type.Object(
  {
    include_revoked: Type.Optional(Type.Boolean({ description: 'Also list revoked keys (default false)' })),
  },
  { additionalProperties: false },
);
export type KeyListQuery = Static<typeof KeyListQuery>;

/** A key as an admin lists it: its owner's role and wallet beside it. */
export const AdminKeySchema = Type.Composite([
  ApiKeySchema,
  Type.Object({ user_role: Role, user_wallet_address: Nullable(Type.String()) }),
]);

export const AdminKeyListSchema = Type.Object({
  keys: Type.Array(AdminKeySchema),
  count: Type.Integer(),
});

export const OwnKeyListSchema = Type.Object({
  keys: Type.Array(ApiKeySchema),
  count: Type.Integer(),
  /** The id of the key this request was made with. */
  current_key_id: Type.String(),
});
