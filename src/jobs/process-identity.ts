/**
 * Who a process is, in a form that outlives it: its pid, its start time (from /proc/<pid>/stat, in
 * clock ticks since boot), the host's boot id and its pid namespace. A pid alone proves nothing: the
 * kernel reuses pids, and another container sees other pids. With the start time, boot id and
 * namespace, "this process no longer exists" can be proven on the same host, and nothing is claimed
 * where it cannot be (another pid namespace, a platform without /proc).
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

export interface ProcessIdentity {
  pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks after boot), or null without /proc. */
  startTime: string | null;
  /** /proc/sys/kernel/random/boot_id: changes at every boot. Null without /proc. */
  bootId: string | null;
  /** The pid namespace (`pid:[4026531836]`): pids of another namespace say nothing here. */
  pidNamespace: string | null;
  hostname: string;
}

/** Where /proc is; a test may point it elsewhere only to prove the platform fallbacks. */
export interface ProcFs {
  readText(path: string): string | null;
  readLink(path: string): string | null;
}

export const realProcFs: ProcFs = {
  readText(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  },
  readLink(path) {
    try {
      return readlinkSync(path);
    } catch {
      return null;
    }
  },
};

/**
 * The start time of `pid` (field 22 of its stat line), or null when no such process exists. The
 * command name (field 2) may hold spaces and parentheses, so fields are counted after its last `)`.
 */
export function processStartTime(pid: number, proc: ProcFs = realProcFs): string | null {
  const stat = proc.readText(`/proc/${pid}/stat`);
  if (stat === null) return null;
  const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // afterName[0] is field 3 (state), so field 22 is at index 19.
  return afterName[19] ?? null;
}

export function bootId(proc: ProcFs = realProcFs): string | null {
  return proc.readText('/proc/sys/kernel/random/boot_id')?.trim() || null;
}

export function pidNamespace(proc: ProcFs = realProcFs): string | null {
  return proc.readLink('/proc/self/ns/pid');
}

let current: ProcessIdentity | undefined;

/** This process's identity (read once). */
export function currentProcessIdentity(): ProcessIdentity {
  current ??= identityOf(process.pid, realProcFs);
  return current;
}

export function identityOf(pid: number, proc: ProcFs): ProcessIdentity {
  return {
    pid,
    startTime: processStartTime(pid, proc),
    bootId: bootId(proc),
    pidNamespace: pidNamespace(proc),
    hostname: hostname(),
  };
}

/** Parses an identity written by `JSON.stringify`; null when it is not one. */
export function parseProcessIdentity(value: unknown): ProcessIdentity | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  const nullableText = (field: unknown) => field === null || typeof field === 'string';
  if (
    !Number.isSafeInteger(record.pid) ||
    (record.pid as number) <= 0 ||
    !nullableText(record.startTime) ||
    !nullableText(record.bootId) ||
    !nullableText(record.pidNamespace) ||
    typeof record.hostname !== 'string'
  ) {
    return null;
  }
  return {
    pid: record.pid as number,
    startTime: record.startTime as string | null,
    bootId: record.bootId as string | null,
    pidNamespace: record.pidNamespace as string | null,
    hostname: record.hostname,
  };
}

export type Liveness =
  { state: 'alive' } | { state: 'gone'; why: string } | { state: 'unknown'; why: string };

/**
 * Whether the process `owner` names still exists, seen from this process. `gone` only when it is
 * proven: the host has rebooted since, or (same boot, same pid namespace) no process has its pid, or
 * the one that has it started at another time (the pid was reused). Anything this process cannot
 * see for itself (another host or pid namespace, no /proc) is `unknown`, never `gone`.
 */
export function livenessOf(
  owner: ProcessIdentity,
  here: ProcessIdentity = currentProcessIdentity(),
  proc: ProcFs = realProcFs,
): Liveness {
  if (owner.hostname !== here.hostname) return { state: 'unknown', why: 'another host' };
  if (owner.bootId === null || here.bootId === null) return { state: 'unknown', why: 'no boot id' };
  if (owner.bootId !== here.bootId) return { state: 'gone', why: 'the host has rebooted since' };
  if (owner.pidNamespace === null || owner.pidNamespace !== here.pidNamespace) {
    return { state: 'unknown', why: 'another pid namespace' };
  }
  if (owner.startTime === null) return { state: 'unknown', why: 'no start time recorded' };
  const startTime = processStartTime(owner.pid, proc);
  if (startTime === null) return { state: 'gone', why: 'no process has its pid' };
  if (startTime !== owner.startTime) return { state: 'gone', why: 'its pid now names another process' };
  return { state: 'alive' };
}
