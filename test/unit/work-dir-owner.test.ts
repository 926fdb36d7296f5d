/**
 * The proof a render work folder's owner is gone: only then, and only in the sweeping deployment's
 * own namespace, does the start-up sweep remove it. Owners are real processes (this one, a child that
 * lives, a child that was killed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  currentProcessIdentity,
  identityOf,
  livenessOf,
  parseProcessIdentity,
  processStartTime,
  realProcFs,
  type ProcessIdentity,
} from '../../src/jobs/process-identity.js';
import { writeWorkDirOwner } from '../../src/render/work-dir-owner.js';
import { createWorkDir, deploymentWorkRoot, removeStaleWorkDirs } from '../../src/render/work-dirs.js';
import { waitFor } from '../support/wait.js';

const DEPLOYMENT_A = 'a'.repeat(32);
const DEPLOYMENT_B = 'b'.repeat(32);

/** A child process that lives until it is killed. */
function sleeper(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
}

async function deadProcessIdentity(): Promise<ProcessIdentity> {
  const child = sleeper();
  const identity = await waitFor(
    () => {
      const seen = identityOf(child.pid ?? 0, realProcFs);
      return seen.startTime === null ? null : seen;
    },
    { what: 'the child to show in /proc' },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  return identity;
}

describe('work folder ownership', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });
  const tempRoot = () => {
    const root = mkdtempSync(path.join(tmpdir(), 'rq-workdirs-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    return root;
  };
  /** A work folder of `deployment` owned by `owner`, as that process would have made it. */
  const folderOwnedBy = async (root: string, deployment: string, owner: ProcessIdentity) => {
    const dir = await createWorkDir(root, deployment, '00000000-0000-4000-8000-000000000000');
    await writeWorkDirOwner(dir, owner);
    return path.basename(dir);
  };

  it('reads this process as alive', () => {
    const me = currentProcessIdentity();
    expect(me.pid).toBe(process.pid);
    expect(me.startTime).toMatch(/^\d+$/);
    expect(me.bootId).toMatch(/^[0-9a-f-]{36}$/);
    expect(livenessOf(me)).toEqual({ state: 'alive' });
  });

  it('proves a killed process gone: no process has its pid', async () => {
    const dead = await deadProcessIdentity();
    expect(livenessOf(dead)).toMatchObject({ state: 'gone' });
  });

  it('proves an owner gone when its pid now names a process that started at another time', () => {
    const me = currentProcessIdentity();
    const earlier = { ...me, startTime: String(Number(me.startTime) - 1) };
    expect(processStartTime(me.pid)).toBe(me.startTime);
    expect(livenessOf(earlier)).toEqual({ state: 'gone', why: 'its pid now names another process' });
  });

  it('proves an owner gone after a reboot, and claims nothing about other hosts or namespaces', () => {
    const me = currentProcessIdentity();
    expect(livenessOf({ ...me, bootId: '00000000-0000-0000-0000-000000000000' }).state).toBe('gone');
    expect(livenessOf({ ...me, pid: 1, hostname: `${me.hostname}-elsewhere` }).state).toBe('unknown');
    expect(livenessOf({ ...me, pid: 999_999_999, pidNamespace: 'pid:[1]' }).state).toBe('unknown');
    expect(livenessOf({ ...me, pid: 999_999_999, startTime: null }).state).toBe('unknown');
    expect(livenessOf({ ...me, bootId: null }).state).toBe('unknown');
  });

  it('parses only whole identity records', () => {
    const me = currentProcessIdentity();
    expect(parseProcessIdentity(JSON.parse(JSON.stringify(me)))).toEqual(me);
    expect(parseProcessIdentity({ ...me, pid: -1 })).toBeNull();
    expect(parseProcessIdentity({ ...me, pid: '12' })).toBeNull();
    expect(parseProcessIdentity({ pid: 12 })).toBeNull();
    expect(parseProcessIdentity(null)).toBeNull();
  });

  it('sweeps only its own deployment, and there only folders whose owner is proven gone', async () => {
    const root = tempRoot();
    const dead = await deadProcessIdentity();
    const child = sleeper();
    cleanups.push(() => child.kill('SIGKILL'));
    const live = await waitFor(
      () => {
        const seen = identityOf(child.pid ?? 0, realProcFs);
        return seen.startTime === null ? null : seen;
      },
      { what: 'the child to show in /proc' },
    );
    const me = currentProcessIdentity();

    const deadOwners = await folderOwnedBy(root, DEPLOYMENT_A, dead);
    const reusedPid = await folderOwnedBy(root, DEPLOYMENT_A, { ...me, startTime: '1' });
    const liveChild = await folderOwnedBy(root, DEPLOYMENT_A, live);
    const liveMe = (await createWorkDir(root, DEPLOYMENT_A, '00000000-0000-4000-8000-000000000001'))
      .split(path.sep)
      .pop();
    const otherNamespace = await folderOwnedBy(root, DEPLOYMENT_A, { ...dead, pidNamespace: 'pid:[1]' });
    // Made, but its owner record not yet written: its owner may be writing it right now.
    const noRecord = 'job-00000000-0000-4000-8000-000000000002-abcdef';
    mkdirSync(path.join(deploymentWorkRoot(root, DEPLOYMENT_A), noRecord));
    // Another deployment's folder of a dead process, and a folder from before namespacing.
    const otherDeployment = await folderOwnedBy(root, DEPLOYMENT_B, dead);
    const legacy = 'job-00000000-0000-4000-8000-000000000003-abcdef';
    mkdirSync(path.join(root, legacy));

    const removed = await removeStaleWorkDirs(DEPLOYMENT_A, root);

    expect(removed.sort()).toEqual([deadOwners, reusedPid].sort());
    expect(readdirSync(deploymentWorkRoot(root, DEPLOYMENT_A)).sort()).toEqual(
      [liveChild, liveMe, otherNamespace, noRecord].sort(),
    );
    expect(readdirSync(deploymentWorkRoot(root, DEPLOYMENT_B))).toEqual([otherDeployment]);
    expect(readdirSync(root).sort()).toEqual([DEPLOYMENT_A, DEPLOYMENT_B, legacy].sort());
  });

  it('refuses a deployment id that is not one (it names a folder)', async () => {
    await expect(removeStaleWorkDirs('../../etc', tempRoot())).rejects.toThrow(RangeError);
  });
});
