/**
 * First start: with no users at all, create an admin and a key for it. The key is the configured
 * `REELQUEUE_ADMIN_KEY` when set (for automation), else a new one, written to a 0600 file so the
 * operator can read it once. Idempotent, and safe when two processes start together: the database
 * decides which one creates the admin (`UserStore.createFirstAdmin`).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateApiKey } from './api-key.js';
import type { UserStore } from './store.js';

export interface AdminKeyOptions {
  users: UserStore;
  /** `config.adminKey`: used as the admin key instead of a generated one. */
  configuredKey?: string | undefined;
  /** Where a generated key is written (mode 0600), e.g. `<data dir>/admin-key`. */
  keyFile: string;
}

export interface AdminKeyOutcome {
  /** True when this call created the admin (the database had no users). */
  created: boolean;
  /** The generated key, to print once; absent when configured or not created. */
  key?: string;
  /** The file the generated key was written to. */
  keyFile?: string;
}

const CONFIGURED_LABEL = 'REELQUEUE_ADMIN_KEY';
const GENERATED_LABEL = 'first start';

export async function ensureAdminKey(options: AdminKeyOptions): Promise<AdminKeyOutcome> {
  const { users, configuredKey, keyFile } = options;
  if ((await users.countUsers()) > 0) return { created: false };
  if (configuredKey !== undefined && configuredKey !== '') {
    return { created: (await users.createFirstAdmin(configuredKey, CONFIGURED_LABEL)) !== null };
  }
  // The key reaches its file before the admin is committed, then the file is renamed into place:
  // a key the database accepts is never lost, and a losing process leaves no file behind.
  const { key } = generateApiKey();
  mkdirSync(path.dirname(keyFile), { recursive: true });
  const pending = `${keyFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(pending, `${key}\n`, { mode: 0o600, flag: 'wx' });
  try {
    chmodSync(pending, 0o600); // exactly 0600, whatever the umask
    if ((await users.createFirstAdmin(key, GENERATED_LABEL)) === null) return { created: false };
    renameSync(pending, keyFile);
    return { created: true, key, keyFile };
  } finally {
    rmSync(pending, { force: true });
  }
}
