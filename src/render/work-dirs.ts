/**
 * Render work folders: `<root>/<deployment id>/job-<job id>-XXXXXX`, each holding an owner record
 * (`work-dir-owner.ts`). A process that dies mid-render (kill -9) leaves its folder behind; the
 * start-up sweep removes only the folders of its own deployment whose owner provably no longer
 * exists. Another deployment's folders, folders of live processes (however slow), folders of a
 * process this one cannot see (another pid namespace) and folders from before namespacing are
 * never touched.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { livenessOf } from '../jobs/process-identity.js';
import { readWorkDirOwner, writeWorkDirOwner } from './work-dir-owner.js';

/** Where the deployments' folders live unless told otherwise: `<os tmp>/reelqueue`. */
export function defaultWorkRoot(): string {
  return path.join(tmpdir(), 'reelqueue');
}

/** A deployment id (migration 0018) is 32 hex digits; anything else must not name a folder. */
const DEPLOYMENT_ID = /^[0-9a-f]{32}$/;

/** The folder that holds one deployment's work folders. */
export function deploymentWorkRoot(root: string, deploymentId: string): string {
  if (!DEPLOYMENT_ID.test(deploymentId)) throw new RangeError(`not a deployment id: ${deploymentId}`);
  return path.join(root, deploymentId);
}

/** Makes a job's work folder and records this process as its owner before anything is put in it. */
export async function createWorkDir(root: string, deploymentId: string, jobId: string): Promise<string> {
  const parent = deploymentWorkRoot(root, deploymentId);
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(path.join(parent, `job-${jobId}-`));
  try {
    await writeWorkDirOwner(dir);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return dir;
}

/**
 * Removes this deployment's work folders whose owner process provably no longer exists; returns
 * their names. A folder without a readable owner record (its owner may be writing it right now) is
 * kept.
 */
export async function removeStaleWorkDirs(deploymentId: string, root = defaultWorkRoot()): Promise<string[]> {
  const parent = deploymentWorkRoot(root, deploymentId);
  let entries: string[];
  try {
    entries = await readdir(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    if (!entry.startsWith('job-')) continue;
    const dir = path.join(parent, entry);
    const owner = await readWorkDirOwner(dir);
    if (owner === null || livenessOf(owner).state !== 'gone') continue;
    await rm(dir, { recursive: true, force: true });
    removed.push(entry);
  }
  return removed;
}
