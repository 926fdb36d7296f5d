/**
 * A PostgreSQL server of a test's own: `initdb` into a temp folder, started on a free port, stopped
 * and removed afterwards. Tests that stop, kill or restart a server use this, never the server the
 * machine (or the developer) runs.
 *
 * As root, the server's commands run as the `postgres` user (PostgreSQL refuses to run as root).
 */
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';

export type StopMode = 'smart' | 'fast' | 'immediate';

/** PostgreSQL's server programs: `PG_BINDIR`, then `pg_config --bindir`, then Debian's newest. */
function postgresBinDir(): string {
  if (process.env.PG_BINDIR) return process.env.PG_BINDIR;
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(path.join(dir, 'initdb'))) return dir;
  } catch {
    // no pg_config on PATH: look where Debian installs the server
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(path.join(root, name, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] === undefined) {
    throw new Error('no PostgreSQL server programs found: install postgresql or set PG_BINDIR');
  }
  return path.join(root, versions[0], 'bin');
}

export class ThrowawayPostgres {
  readonly port: number;
  readonly #dir: string;
  readonly #bin: string;
  readonly #asRoot: boolean;
  /** Server settings given at start (`-c name=value`), e.g. a small `max_connections`. */
  readonly #settings: Record<string, string>;
  #running = false;
  readonly #onExit = () => this.#stopSync('immediate');

  private constructor(dir: string, port: number, settings: Record<string, string>) {
    this.#dir = dir;
    this.port = port;
    this.#settings = settings;
    this.#bin = postgresBinDir();
    this.#asRoot = userInfo().uid === 0;
  }

  /** Creates a cluster in a new temp folder and starts it on a free port, with these settings. */
  static async start(settings: Record<string, string> = {}): Promise<ThrowawayPostgres> {
    const dir = mkdtempSync(path.join(tmpdir(), 'reelqueue-pg-'));
    const server = new ThrowawayPostgres(dir, await freePort(), settings);
    try {
      if (server.#asRoot) {
        const { uid, gid } = postgresUser();
        chownSync(dir, uid, gid);
      }
      server.#run('initdb', [
        '-D',
        server.#dataDir,
        '-U',
        'postgres',
        '--auth=trust',
        '-E',
        'UTF8',
        '--no-sync',
      ]);
      server.startServer();
      return server;
    } catch (error) {
      server.destroy();
      throw error;
    }
  }

  /** The server's URL, for `DATABASE_URL` (its `postgres` database). */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  get running(): boolean {
    return this.#running;
  }

  /** The postmaster's pid (first line of postmaster.pid): its children are the server's processes. */
  get postmasterPid(): number {
    return Number(readFileSync(path.join(this.#dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  }

  get #dataDir(): string {
    return path.join(this.#dir, 'data');
  }

  /** Starts the server and waits until it accepts connections. */
  startServer(): void {
    this.#run('pg_ctl', [
      'start',
      '-w',
      '-D',
      this.#dataDir,
      '-l',
      path.join(this.#dir, 'server.log'),
      '-o',
      [
        `-p ${this.port} -k ${this.#dir} -c listen_addresses=127.0.0.1`,
        ...Object.entries(this.#settings).map(([name, value]) => `-c ${name}=${value}`),
      ].join(' '),
    ]);
    if (!this.#running) process.on('exit', this.#onExit);
    this.#running = true;
  }

  /** Stops the server: `fast` ends sessions cleanly, `immediate` is a crash (recovery on start). */
  stopServer(mode: StopMode = 'fast'): void {
    this.#stopSync(mode);
  }

  restartServer(mode: StopMode = 'fast'): void {
    this.stopServer(mode);
    this.startServer();
  }

  /** The server's log so far, for a failing test's message. */
  log(): string {
    try {
      return readFileSync(path.join(this.#dir, 'server.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** Stops the server (if running) and removes its folder. */
  destroy(): void {
    try {
      this.#stopSync('immediate');
    } catch {
      // a server that will not stop is killed with its folder below
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #stopSync(mode: StopMode): void {
    if (!this.#running) return;
    this.#run('pg_ctl', ['stop', '-w', '-m', mode, '-D', this.#dataDir]);
    this.#running = false;
    process.off('exit', this.#onExit);
  }

  #run(program: string, args: string[]): void {
    const binary = path.join(this.#bin, program);
    const options: ExecFileSyncOptions = { stdio: 'pipe', cwd: this.#dir };
    try {
      if (this.#asRoot) execFileSync('runuser', ['-u', 'postgres', '--', binary, ...args], options);
      else execFileSync(binary, args, options);
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(`${program} ${args[0] ?? ''} failed: ${stderr.trim() || String(error)}\n${this.log()}`);
    }
  }
}

function postgresUser(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid))
    throw new Error('no postgres user to run the server as');
  return { uid, gid };
}
