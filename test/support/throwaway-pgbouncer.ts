/**
 * A PgBouncer of a test's own, in transaction mode, in front of a given PostgreSQL: a temp folder
 * with its config and auth file, started on a free port, stopped and removed afterwards. Debian's
 * `pgbouncer` package (1.18) is what the tests use (`.ci/run` installs it).
 *
 * As root, PgBouncer runs as the `postgres` user (it refuses to run as root).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';
import { waitFor } from './wait.js';

const PGBOUNCER = process.env.PGBOUNCER_PATH ?? '/usr/sbin/pgbouncer';

export interface PgBouncerOptions {
  /** The server: host 127.0.0.1, this port, this database. */
  serverPort: number;
  database: string;
  /** Sets every server connection's search_path (PgBouncer 1.18 drops the client's `options`). */
  schema?: string;
  /** Server connections PgBouncer opens to PostgreSQL (default 20). */
  poolSize?: number;
  /** Client connections PgBouncer accepts (default 2000). */
  maxClients?: number;
}

export class ThrowawayPgBouncer {
  readonly port: number;
  readonly #dir: string;
  readonly #child: ChildProcess;
  readonly #database: string;
  #exited = false;
  readonly #onExit = () => this.#child.kill('SIGKILL');

  private constructor(dir: string, port: number, database: string, child: ChildProcess) {
    this.#dir = dir;
    this.port = port;
    this.#database = database;
    this.#child = child;
    child.on('exit', () => {
      this.#exited = true;
    });
    process.on('exit', this.#onExit);
  }

  static async start(options: PgBouncerOptions): Promise<ThrowawayPgBouncer> {
    if (!existsSync(PGBOUNCER)) {
      throw new Error(`${PGBOUNCER} is missing: apt-get install pgbouncer (or set PGBOUNCER_PATH)`);
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'reelqueue-pgbouncer-'));
    chmodSync(dir, 0o777);
    const port = await freePort();
    const connectQuery = options.schema ? ` connect_query='SET search_path TO ${options.schema}'` : '';
    writeFileSync(path.join(dir, 'userlist.txt'), '"postgres" ""\n');
    writeFileSync(
      path.join(dir, 'pgbouncer.ini'),
      [
        '[databases]',
        `${options.database} = host=127.0.0.1 port=${options.serverPort} dbname=${options.database}${connectQuery}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'unix_socket_dir =',
        'auth_type = trust',
        `auth_file = ${path.join(dir, 'userlist.txt')}`,
        'pool_mode = transaction',
        `default_pool_size = ${options.poolSize ?? 20}`,
        `max_client_conn = ${options.maxClients ?? 2000}`,
        'ignore_startup_parameters = options, extra_float_digits',
        `logfile = ${path.join(dir, 'pgbouncer.log')}`,
        '',
      ].join('\n'),
    );
    const args = [path.join(dir, 'pgbouncer.ini')];
    if (userInfo().uid === 0) args.unshift('-u', 'postgres');
    const child = spawn(PGBOUNCER, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const bouncer = new ThrowawayPgBouncer(dir, port, options.database, child);
    try {
      await waitFor(() => bouncer.#exited || accepts(port), {
        timeoutMs: 10_000,
        what: 'PgBouncer to listen',
      });
      if (bouncer.#exited) throw new Error(`PgBouncer exited at start:\n${bouncer.log()}`);
      return bouncer;
    } catch (error) {
      bouncer.destroy();
      throw error;
    }
  }

  /** The pooler's URL, for `DATABASE_URL`. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${this.#database}`;
  }

  /** Its log so far, for a failing test's message. */
  log(): string {
    try {
      return readFileSync(path.join(this.#dir, 'pgbouncer.log'), 'utf8');
    } catch {
      return '';
    }
  }

  destroy(): void {
    if (!this.#exited) this.#child.kill('SIGKILL');
    process.off('exit', this.#onExit);
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
