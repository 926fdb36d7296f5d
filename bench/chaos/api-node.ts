/** A real `reelqueue serve --no-worker` process on a free port: one API node of a deployment. */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from '../../test/support/worker-process.js';
import { freePort } from '../../test/support/free-port.js';
import { waitFor } from '../../test/support/wait.js';

export class ApiNode {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  exited = false;

  private constructor(child: ChildProcess, port: number) {
    this.child = child;
    this.baseUrl = `http://127.0.0.1:${port}`;
    child.on('exit', () => {
      this.exited = true;
    });
  }

  static async start(env: Record<string, string>): Promise<ApiNode> {
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, 'serve', '--no-worker', '--port', String(port)], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    const node = new ApiNode(child, port);
    await waitFor(
      async () => {
        if (node.exited) throw new Error('reelqueue serve exited on start');
        return fetch(`${node.baseUrl}/healthz`).then(
          (response) => response.ok,
          () => false,
        );
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'the API node to answer' },
    );
    return node;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    await waitFor(() => this.exited, { timeoutMs: 30_000, what: 'the API node to stop' }).catch(() =>
      this.child.kill('SIGKILL'),
    );
  }
}
