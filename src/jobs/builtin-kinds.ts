/** Diagnostic kinds for smoke tests and benchmarks: `noop` returns at once, `sleep` waits `{ms}`. */
import { setTimeout as delay } from 'node:timers/promises';
import { ReelqueueError } from '../errors.js';
import { isJsonObject, type JobKind } from './kinds.js';

export const noopKind: JobKind = {
  name: 'noop',
  parsePayload(input) {
    if (input === undefined || input === null) return {};
    if (!isJsonObject(input)) {
      throw new ReelqueueError('INVALID_PAYLOAD', 'The noop payload must be a JSON object');
    }
    return input;
  },
  async run() {
    return {};
  },
};

const MAX_SLEEP_MS = 24 * 60 * 60 * 1000;

export const sleepKind: JobKind = {
  name: 'sleep',
  parsePayload(input) {
    if (!isJsonObject(input)) {
      throw new ReelqueueError('INVALID_PAYLOAD', 'The sleep payload must be a JSON object like {"ms": 100}');
    }
    const ms = input.ms;
    if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > MAX_SLEEP_MS) {
      throw new ReelqueueError(
        'INVALID_PAYLOAD',
        `The sleep payload needs "ms", an integer from 0 to ${MAX_SLEEP_MS}`,
        { field: 'ms', value: ms ?? null },
      );
    }
    return { ...input, ms };
  },
  async run({ payload, signal }) {
    await delay(payload.ms as number, undefined, { signal });
    return { slept_ms: payload.ms as number };
  },
};
