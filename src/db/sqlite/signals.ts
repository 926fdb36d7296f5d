/**
 * Wake-ups between stores on the same SQLite file in one process (an API and its workers): a new
 * job wakes idle workers at once, a cancel request reaches the worker running the job. Other
 * processes find the same changes by polling.
 */
import { EventEmitter } from 'node:events';

const emitters = new Map<string, EventEmitter>();

export function signalsFor(filename: string): EventEmitter {
  let emitter = emitters.get(filename);
  if (!emitter) {
    emitter = new EventEmitter();
    emitter.setMaxListeners(0);
    emitters.set(filename, emitter);
  }
  return emitter;
}
