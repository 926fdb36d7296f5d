/**
 * A worker under test, run as its own process. It reports over IPC (bench scripts) or as JSON lines
 * on stdout (the reelqueue CLI with `--json`); both arrive here as messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ProcessSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** `ipc`: the script calls process.send; `stdout-json`: one JSON object per stdout line. */
  channel: 'ipc' | 'stdout-json';
}

export type ChildMessage = { type: string } & Record<string, unknown>;

/** A text field of a message, or an error naming what is missing. */
export function messageText(message: ChildMessage, name: string): string {
  const value = message[name];
  if (typeof value !== 'string') throw new Error(`the "${message.type}" message has no text ${name}`);
  return value;
}

const STDERR_KEPT = 8_000;

export class WorkerProcess extends EventEmitter<{ message: [ChildMessage]; exit: [number | null] }> {
  readonly #child: ChildProcess;
  #stderr = '';
  #exitCode: number | null | undefined = undefined;

  constructor(spec: ProcessSpec) {
    super();
    this.#child = spawn(spec.command, spec.args, {
      env: { ...process.env, ...spec.env },
      stdio: spec.channel === 'ipc' ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    });
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-STDERR_KEPT);
    });
    if (spec.channel === 'ipc') {
      this.#child.on('message', (message) => this.emit('message', message as ChildMessage));
      this.#child.stdout?.resume();
    } else {
      let pending = '';
      this.#child.stdout?.on('data', (chunk: Buffer) => {
        pending += chunk.toString();
        let newline: number;
        while ((newline = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          if (!line.startsWith('{')) continue;
          const parsed = JSON.parse(line) as { event?: string };
          this.emit('message', { type: parsed.event ?? 'unknown', ...parsed });
        }
      });
    }
    this.#child.on('exit', (code) => {
      this.#exitCode = code;
      this.emit('exit', code);
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get stderr(): string {
    return this.#stderr;
  }

  send(message: ChildMessage): void {
    this.#child.send?.(message);
  }

  /** The next message of `type` (rejects if the process exits or the time runs out first). */
  next(type: string, timeoutMs = 60_000): Promise<ChildMessage> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: ChildMessage) => {
        if (message.type !== type) return;
        done();
        resolve(message);
      };
      const onExit = (code: number | null) => {
        done();
        reject(new Error(`worker exited (code ${code}) before "${type}"\n${this.#stderr}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no "${type}" from the worker within ${timeoutMs} ms\n${this.#stderr}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.off('message', onMessage);
        this.off('exit', onExit);
      };
      if (this.#exitCode !== undefined) {
        onExit(this.#exitCode);
        return;
      }
      this.on('message', onMessage);
      this.on('exit', onExit);
    });
  }

  /** SIGKILL at once, as a crash would (kill -9): no shutdown, no release. Resolves once it exited. */
  async kill(): Promise<void> {
    if (this.#exitCode !== undefined) return;
    const exited = new Promise<void>((resolve) => this.once('exit', () => resolve()));
    this.#child.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM, then SIGKILL if the process has not exited within `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.#exitCode !== undefined) return;
    const exited = new Promise<void>((resolve) => this.once('exit', () => resolve()));
    this.#child.kill('SIGTERM');
    const inTime = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!inTime) {
      this.#child.kill('SIGKILL');
      await exited;
    }
  }
}
