/** `reelqueue users …` and `reelqueue keys …`: users, their points and their API keys. */
import { Command } from 'commander';
import type { Reelqueue } from '../../app.js';
import { ReelqueueError } from '../../errors.js';
import { userNotFound } from '../../users/errors.js';
import type { User } from '../../users/model.js';
import { MAX_POINTS } from '../../users/new-user.js';
import {
  parseInteger,
  print,
  withCommonOptions,
  withExistingReelqueue,
  withReelqueue,
  type CommonOptions,
} from '../context.js';
import { table } from '../format.js';

/** A user named by id, or else by wallet address. */
async function findUser(app: Reelqueue, idOrWallet: string): Promise<User> {
  const users = app.database.users;
  const user = (await users.getUser(idOrWallet)) ?? (await users.findByWallet(idOrWallet));
  if (!user) throw userNotFound(idOrWallet);
  return user;
}

type ListedUser = Omit<User, 'webhookSecret' | 'previousWebhookSecret' | 'previousWebhookSecretExpiresAt'>;

/** A user for listings: the webhook secret is shown only when the user is created. */
function listed({
  webhookSecret: _secret,
  previousWebhookSecret: _previous,
  previousWebhookSecretExpiresAt: _expires,
  ...user
}: User): ListedUser {
  return user;
}

function usersTable(users: readonly User[]): string {
  return table(
    ['ID', 'ROLE', 'POINTS', 'WALLET'],
    users.map((user) => [user.id, user.role, String(user.promptPoints), user.walletAddress ?? '-']),
  );
}

interface CreateUserOptions extends CommonOptions {
  wallet?: string;
  points?: number;
  admin?: boolean;
  service?: boolean;
  label?: string;
}

function createUserCommand(): Command {
  return withCommonOptions(new Command('create'))
    .description('create a user and a first API key (the key is printed once)')
    .option('--wallet <address>', 'wallet address, unique (legacy /api/generate clients send it)')
    .option('--points <n>', 'starting prompt points', parseInteger('--points', 0, MAX_POINTS))
    .option('--admin', 'an admin: sees every job, manages users and keys')
    .option(
      '--service',
      "a backend's service key: acts for any wallet on /api/generate and /api/videos/... (its user is created on first use), nothing else",
    )
    .option('--label <text>', 'label of the first key')
    .action(async (options: CreateUserOptions) => {
      if (options.admin && options.service) {
        throw new ReelqueueError('VALIDATION_FAILED', 'Give --admin or --service, not both');
      }
      await withReelqueue(options, async (app) => {
        const user = await app.database.users.createUser({
          walletAddress: options.wallet ?? null,
          points: options.points ?? 0,
          role: options.admin ? 'admin' : options.service ? 'service' : 'user',
        });
        const key = await app.database.users.createKey(user.id, options.label ?? null);
        print(options, { user, key }, () =>
          [
            `created ${user.role} ${user.id}`,
            `  wallet          ${user.walletAddress ?? '-'}`,
            `  points          ${user.promptPoints}`,
            `  webhook secret  ${user.webhookSecret}`,
            `  api key         ${key.key}`,
            'the API key is shown only this once; keep it somewhere safe',
          ].join('\n'),
        );
      });
    });
}

function listUsersCommand(): Command {
  return withCommonOptions(new Command('list'))
    .description('list users, oldest first')
    .action(async (options: CommonOptions) => {
      await withExistingReelqueue(options, async (app) => {
        const users = await app.database.users.listUsers();
        print(options, { users: users.map(listed) }, () =>
          users.length === 0 ? 'no users' : usersTable(users),
        );
      });
    });
}

function pointsCommand(): Command {
  return withCommonOptions(new Command('points'))
    .description("add points to a user's balance (a negative number takes them away)")
    .argument('<user>', 'user id or wallet address')
    .argument('<delta>', 'points to add', parseInteger('<delta>', -MAX_POINTS, MAX_POINTS))
    .action(async (idOrWallet: string, delta: number, options: CommonOptions) => {
      await withReelqueue(options, async (app) => {
        const user = await findUser(app, idOrWallet);
        const updated = await app.database.users.adjustPoints(user.id, delta);
        print(options, listed(updated), () => `${updated.id} now has ${updated.promptPoints} points`);
      });
    });
}

export function usersCommand(): Command {
  return new Command('users')
    .description('create and list users, adjust their points')
    .addCommand(createUserCommand())
    .addCommand(listUsersCommand())
    .addCommand(pointsCommand());
}

function createKeyCommand(): Command {
  return withCommonOptions(new Command('create'))
    .description('create an API key for a user (printed once)')
    .requiredOption('--user <user>', 'user id or wallet address')
    .option('--label <text>', 'what the key is for')
    .action(async (options: CommonOptions & { user: string; label?: string }) => {
      await withReelqueue(options, async (app) => {
        const user = await findUser(app, options.user);
        const key = await app.database.users.createKey(user.id, options.label ?? null);
        print(options, { userId: user.id, ...key }, () =>
          [
            `created key ${key.id} (prefix ${key.prefix}) for ${user.id}`,
            `  api key  ${key.key}`,
            'the API key is shown only this once; keep it somewhere safe',
          ].join('\n'),
        );
      });
    });
}

function revokeKeyCommand(): Command {
  return withCommonOptions(new Command('revoke'))
    .description('revoke an API key: it stops working at once')
    .argument('<key>', 'key id, prefix, or the whole key')
    .action(async (idOrPrefix: string, options: CommonOptions) => {
      await withReelqueue(options, async (app) => {
        const key = await app.database.users.revokeKey(idOrPrefix);
        print(options, key, () => `revoked ${key.id} (prefix ${key.prefix}) of ${key.userId}`);
      });
    });
}

function listKeysCommand(): Command {
  return withCommonOptions(new Command('list'))
    .description("list a user's API keys (never the keys themselves)")
    .requiredOption('--user <user>', 'user id or wallet address')
    .action(async (options: CommonOptions & { user: string }) => {
      await withExistingReelqueue(options, async (app) => {
        const user = await findUser(app, options.user);
        const keys = await app.database.users.listKeys(user.id);
        print(options, { keys }, () =>
          keys.length === 0
            ? 'no keys'
            : table(
                ['ID', 'PREFIX', 'STATE', 'LAST USED', 'LABEL'],
                keys.map((k) => [
                  k.id,
                  k.prefix,
                  k.revokedAt ? 'revoked' : 'active',
                  k.lastUsedAt?.toISOString() ?? 'never',
                  k.label ?? '',
                ]),
              ),
        );
      });
    });
}

export function keysCommand(): Command {
  return new Command('keys')
    .description('create, list and revoke API keys')
    .addCommand(createKeyCommand())
    .addCommand(listKeysCommand())
    .addCommand(revokeKeyCommand());
}
