/**
 * A file beside the database whose change wakes every process watching it: SQLite has no NOTIFY, so
 * a process that committed something others wait for appends a line here, and the others hear of it
 * through `fs.watch` (inotify on Linux). Advisory only: where the file cannot be opened or watched
 * (a read-only directory, a file system without change notifications, no inotify watches left), the
 * processes find the change by polling, as they would without it.
 *
 * Each touch appends one line, `<writer> <message>`, so a watcher can read what the others said (how
 * many jobs of which kind: issue 29, so that not every worker of the host answers every wake-up).
 * Appends of a few bytes with O_APPEND land whole, one after another. A writer that finds the file
 * past `MAX_BYTES` empties it; a watcher that finds it shorter than what it had read, or a line it
 * cannot read (an older version writes one byte at the start), hears a change it knows nothing of.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  ftruncateSync,
  openSync,
  readSync,
  watch,
  writeSync,
  type FSWatcher,
} from 'node:fs';

/** The file is emptied past this size (its lines are read within a turn of their writing). */
const MAX_BYTES = 64 * 1024;

/**
 * What the other writers said since the last change this watcher read, in order; null when that is
 * not known (the file was emptied meanwhile, or a line is unreadable): a change, nothing more.
 */
export type TouchMessages = readonly string[] | null;

export class WakeFile {
  readonly #fd: number | null;
  readonly #watcher: FSWatcher | null;
  /** Names this writer in its lines, so that it skips them when it reads. */
  readonly #writer = `${process.pid}.${randomBytes(3).toString('hex')}`;
  /** Bytes of the file read so far. */
  #offset = 0;
  /** A line not yet complete at the last read. */
  #partial = '';
  #scheduled = false;

  /**
   * `onTouched` runs once per event-loop turn in which the file changed, with what the other writers
   * said meanwhile (this one's own touches too, with no message of theirs).
   */
  constructor(path: string, onTouched: (messages: TouchMessages) => void) {
    this.#fd = openForTouching(path);
    if (this.#fd !== null) this.#offset = sizeOf(this.#fd) ?? 0;
    this.#watcher = this.#fd === null ? null : watchQuietly(path, () => this.#schedule(onTouched));
  }

  /** True when changes by other processes reach this one. */
  get watching(): boolean {
    return this.#watcher !== null;
  }

  /** Tells the watching processes `message`; a write that fails only leaves them to their polling. */
  touch(message = '1'): void {
    if (this.#fd === null) return;
    try {
      writeSync(this.#fd, Buffer.from(`${this.#writer} ${message}\n`));
      if ((sizeOf(this.#fd) ?? 0) > MAX_BYTES) ftruncateSync(this.#fd, 0);
    } catch {
      // Advisory: the committed change is found by the next poll.
    }
  }

  close(): void {
    this.#watcher?.close();
    if (this.#fd !== null) closeSync(this.#fd);
  }

  #schedule(onTouched: (messages: TouchMessages) => void): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      onTouched(this.#readNew());
    });
  }

  /** The other writers' messages appended since the last read, or null when that is not known. */
  #readNew(): TouchMessages {
    if (this.#fd === null) return null;
    try {
      const size = sizeOf(this.#fd);
      if (size === null) return null;
      if (size < this.#offset) {
        // Emptied by a writer meanwhile: what was appended before is lost, what follows is read.
        this.#offset = size;
        this.#partial = '';
        return null;
      }
      const bytes = Buffer.alloc(size - this.#offset);
      const read = bytes.length === 0 ? 0 : readSync(this.#fd, bytes, 0, bytes.length, this.#offset);
      this.#offset += read;
      const lines = (this.#partial + bytes.subarray(0, read).toString()).split('\n');
      this.#partial = lines.pop() ?? '';
      const messages: string[] = [];
      for (const line of lines) {
        const space = line.indexOf(' ');
        if (space <= 0) return null;
        if (line.slice(0, space) !== this.#writer) messages.push(line.slice(space + 1));
      }
      return messages;
    } catch {
      return null;
    }
  }
}

function sizeOf(fd: number): number | null {
  try {
    return fstatSync(fd).size;
  } catch {
    return null;
  }
}

function openForTouching(path: string): number | null {
  try {
    return openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_APPEND, 0o666);
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
