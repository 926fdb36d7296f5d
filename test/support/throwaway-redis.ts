/**
 * A Redis server of a test's own, on a free port, keeping nothing on disk: stopped and started
 * again by tests of a Redis outage, never the Redis the machine runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { freePort } from './free-port.js';
import { waitFor } from './wait.js';

export class ThrowawayRedis {
  readonly port: number;
  #child: ChildProcess | null = null;
  readonly #onExit = () => this.#child?.kill('SIGKILL');

  private constructor(port: number) {
    this.port = port;
  }

  static async start(): Promise<ThrowawayRedis> {
    const server = new ThrowawayRedis(await freePort());
    await server.startServer();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#child !== null;
  }

  /** Starts the server (again, on the same port) and waits until it answers. */
  async startServer(): Promise<void> {
    if (this.#child) return;
    const child = spawn(
      process.env.REDIS_SERVER_PATH ?? 'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    this.#child = child;
    process.on('exit', this.#onExit);
    const failed = new Promise<never>((_, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code} on start`)));
    });
    await Promise.race([failed, waitFor(() => answersPing(this.port), { what: 'redis-server to answer' })]);
  }

  /** Kills the server (a lost Redis: no goodbye to its clients) and waits until it is gone. */
  async stopServer(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = null;
    process.off('exit', this.#onExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async destroy(): Promise<void> {
    await this.stopServer();
  }
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
