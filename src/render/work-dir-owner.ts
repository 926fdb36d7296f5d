/**
 * The owner record of a render work folder: the identity (`ProcessIdentity`) of the process that
 * made it, in `.owner.json`, written before the folder holds anything else. The sweep reads it to
 * prove the owner gone; a folder whose record is missing or unreadable is never proven anyone's.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  currentProcessIdentity,
  parseProcessIdentity,
  type ProcessIdentity,
} from '../jobs/process-identity.js';

export const OWNER_FILE = '.owner.json';

/** Writes this process as `dir`'s owner; a reader sees the whole record or none (rename). */
export async function writeWorkDirOwner(
  dir: string,
  owner: ProcessIdentity = currentProcessIdentity(),
): Promise<void> {
  const partial = path.join(dir, `${OWNER_FILE}.partial`);
  await writeFile(partial, JSON.stringify(owner), { mode: 0o600 });
  await rename(partial, path.join(dir, OWNER_FILE));
}

/** The owner recorded in `dir`, or null when there is no readable record. */
export async function readWorkDirOwner(dir: string): Promise<ProcessIdentity | null> {
  let text: string;
  try {
    text = await readFile(path.join(dir, OWNER_FILE), 'utf8');
  } catch {
    return null;
  }
  try {
    return parseProcessIdentity(JSON.parse(text));
  } catch {
    return null;
  }
}
