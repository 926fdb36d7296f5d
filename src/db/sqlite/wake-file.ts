/**
 * A file beside the database whose change wakes every process watching it: SQLite has no NOTIFY, so
 * a process that committed something others wait for writes one byte here, and the others hear of it
 * through `fs.watch` (inotify on Linux). Advisory only: where the file cannot be opened or watched
 * (a read-only directory, a file system without change notifications, no inotify watches left), the
 * processes find the change by polling, as they would without it.
 */
import { closeSync, constants, openSync, watch, writeSync, type FSWatcher } from 'node:fs';

const TOUCH = Buffer.from('1');

export class WakeFile {
  readonly #fd: number | null;
  readonly #watcher: FSWatcher | null;
  #scheduled = false;

  /** `onTouched` runs once per event-loop turn in which the file changed (this process's touches too). */
  constructor(path: string, onTouched: () => void) {
    this.#fd = openForTouching(path);
    this.#watcher = this.#fd === null ? null : watchQuietly(path, () => this.#schedule(onTouched));
  }

  /** True when changes by other processes reach this one. */
  get watching(): boolean {
    return this.#watcher !== null;
  }

  /** Tells the watching processes; a write that fails only leaves them to their polling. */
  touch(): void {
    if (this.#fd === null) return;
    try {
      // A write, not a new mtime: setting times needs the file's owner, writing only write access.
      writeSync(this.#fd, TOUCH, 0, 1, 0);
    } catch {
      // Advisory: the committed change is found by the next poll.
    }
  }

  close(): void {
    this.#watcher?.close();
    if (this.#fd !== null) closeSync(this.#fd);
  }

  #schedule(onTouched: () => void): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      onTouched();
    });
  }
}

function openForTouching(path: string): number | null {
  try {
    return openSync(path, constants.O_RDWR | constants.O_CREAT, 0o666);
  } catch {
    return null;
  }
}

function watchQuietly(path: string, onChange: () => void): FSWatcher | null {
  try {
    const watcher = watch(path, { persistent: false }, onChange);
    // Errors after the start (the file removed, say) end the wake-ups, never the process.
    watcher.on('error', () => watcher.close());
    return watcher;
  } catch {
    return null;
  }
}
