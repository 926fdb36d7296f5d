/**
 * Runs ffmpeg or ffprobe as a child process: an argument array, never a shell; stdin closed; stdout
 * handed to the caller; the end of stderr kept for the error message. When the AbortSignal fires, the
 * child gets SIGTERM, then SIGKILL after `killGraceMs`, and the promise rejects with the signal's
 * reason only once the child has exited, so no process outlives a cancelled job.
 */
import { spawn } from 'node:child_process';

export interface RunProcessOptions {
  readonly signal?: AbortSignal | undefined;
  /** Called with each piece of stdout. */
  readonly onStdout?: ((chunk: string) => void) | undefined;
  /** Time between SIGTERM and SIGKILL; the child is gone well within two seconds. */
  readonly killGraceMs?: number;
  /** Called with the child's pid once it is running (tests use it to check the child is gone). */
  readonly onSpawn?: ((pid: number) => void) | undefined;
  /** The child's working folder (lets a filter graph name our own files without their paths). */
  readonly cwd?: string | undefined;
}

export class ProcessFailedError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly exitSignal: NodeJS.Signals | null,
    readonly stderr: string,
  ) {
    const how =
      exitCode === null ? `was killed by ${exitSignal ?? 'a signal'}` : `exited with code ${exitCode}`;
    super(
      `${command} ${how}${stderr.trim() === '' ? '' : `: ${stderr.trim().split('\n').slice(-5).join(' | ')}`}`,
    );
    this.name = 'ProcessFailedError';
  }
}

const STDERR_KEEP = 8 * 1024;

export function runProcess(
  binary: string,
  args: readonly string[],
  options: RunProcessOptions = {},
): Promise<void> {
  const { signal } = options;
  const command = binary.split('/').pop() ?? binary;
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const child = spawn(binary, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
      windowsHide: true,
      ...(options.cwd !== undefined && { cwd: options.cwd }),
    });
    let stderr = '';
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), options.killGraceMs ?? 1000);
    };
    // What went wrong in this process besides its exit status: the caller's stdout handler threw,
    // or a pipe failed. The child is stopped and the promise rejects with it once the child is gone.
    let failure: { error: unknown } | undefined;
    const fail = (error: unknown): void => {
      if (failure) return;
      failure = { error };
      onAbort();
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      try {
        options.onStdout?.(chunk);
      } catch (error) {
        fail(error);
      }
    });
    child.stdout.on('error', fail);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEEP);
    });
    child.stderr.on('error', fail);
    child.once('spawn', () => {
      if (child.pid !== undefined) options.onSpawn?.(child.pid);
    });
    child.once('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      reject(error);
    });
    child.once('close', (code, exitSignal) => {
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      if (signal?.aborted) reject(signal.reason);
      else if (failure) reject(failure.error);
      else if (code === 0) resolve();
      else reject(new ProcessFailedError(command, code, exitSignal, stderr));
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs a command and resolves with its whole stdout (for ffprobe's small JSON answers). */
export async function readProcessOutput(
  binary: string,
  args: readonly string[],
  options: Omit<RunProcessOptions, 'onStdout'> = {},
): Promise<string> {
  let stdout = '';
  await runProcess(binary, args, { ...options, onStdout: (chunk) => (stdout += chunk) });
  return stdout;
}
