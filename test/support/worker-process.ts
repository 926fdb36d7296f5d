/** Real `reelqueue worker` processes for crash tests: started from the build, killed for real. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build before the crash tests`);
}

export class WorkerProcess {
  readonly child: ChildProcess;
  workerId: string | null = null;
  readonly stderrLines: string[] = [];
  exited = false;
  killedAt: number | null = null;

  constructor(env: Record<string, string>, args: string[] = []) {
    this.child = spawn(process.execPath, [CLI, 'worker', '--json', ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      let newline: number;
      while ((newline = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, newline);
        out = out.slice(newline + 1);
        try {
          const event = JSON.parse(line) as { event?: string; workerId?: string };
          if (event.event === 'worker_started' && event.workerId) this.workerId = event.workerId;
        } catch {
          // not a JSON line; ignore
        }
      }
    });
    let err = '';
    this.child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const lines = err.split('\n');
      err = lines.pop() ?? '';
      this.stderrLines.push(...lines);
    });
    this.child.on('exit', () => {
      this.exited = true;
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('worker process has no pid');
    return this.child.pid;
  }

  async started(timeoutMs = 20_000): Promise<string> {
    return waitFor(() => this.workerId, { timeoutMs, what: 'the worker to start' });
  }

  /** Sends SIGKILL and waits until the process is gone. */
  async killHard(): Promise<void> {
    this.killedAt = Date.now();
    this.child.kill('SIGKILL');
    await waitFor(() => this.exited, { what: 'the killed worker to exit' });
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    await waitFor(() => this.exited, { timeoutMs: 30_000, what: 'the worker to stop' });
  }
}
