/**
 * Keeps checking, while a response streams, that the API key it was opened with still admits its
 * caller. A request is authenticated once, when it arrives; an event stream can then stay open for
 * hours, so without this a revoked key (or one whose user may no longer see the job) would keep
 * receiving events. The check goes through the same authenticator as every request: a key remembered
 * under an unchanged key revision costs a hash, and any revoke, in any process, changes the revision,
 * so the next check looks the key up again.
 */
import type { Logger } from '../logger.js';
import type { Authenticator, Caller } from './caller.js';
import type { HttpErrorCode } from './http-errors.js';

/** How often an open stream checks its key: a revoke ends the stream within about this long. */
export const KEY_RECHECK_MS = 1000;

export interface KeyLoss {
  code: HttpErrorCode;
  message: string;
}

export interface KeyWatch {
  authenticator: Authenticator;
  key: string;
  /** Whether the caller the key now belongs to may still see what is streamed. */
  admits: (caller: Caller) => boolean;
  /** Called once, when the key no longer admits the stream; the watch has stopped by then. */
  onLost: (loss: KeyLoss) => void;
  logger: Logger;
  intervalMs?: number;
}

/** Starts watching; returns the function that stops it. */
export function watchKey(watch: KeyWatch): () => void {
  let checking = false;
  let stopped = false;
  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  const judge = (caller: Caller | null) => {
    if (stopped) return;
    if (!caller) {
      stop();
      watch.onLost({ code: 'UNAUTHORIZED', message: 'This API key was revoked' });
    } else if (!watch.admits(caller)) {
      stop();
      watch.onLost({ code: 'FORBIDDEN', message: 'This API key may no longer see this job' });
    }
  };
  const timer = setInterval(() => {
    if (checking) return;
    let answer: ReturnType<Authenticator['authenticate']>;
    try {
      answer = watch.authenticator.authenticate(watch.key);
    } catch (error) {
      watch.logger.warn({ err: error }, 'checking the key of an event stream failed; will try again');
      return;
    }
    if (!(answer instanceof Promise)) {
      judge(answer);
      return;
    }
    checking = true;
    // A failed lookup (the database away) keeps the stream: the key was valid when last checked.
    answer
      .then(judge, (error: unknown) =>
        watch.logger.warn({ err: error }, 'checking the key of an event stream failed; will try again'),
      )
      .finally(() => {
        checking = false;
      });
  }, watch.intervalMs ?? KEY_RECHECK_MS);
  timer.unref();
  return stop;
}
