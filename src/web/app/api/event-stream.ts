/**
 * Follows a job's server-sent events over `fetch` (EventSource cannot send an Authorization header):
 * parses `text/event-stream`, resumes after the last id when the connection drops, and stops when
 * the server ends the stream after the job's final event or when `signal` aborts. A stream the server
 * ends because its key was revoked (or may no longer see the job) ends following, as a 401 or 403
 * answer would: no reconnect.
 */
import { ApiError, NetworkError, type ApiClient } from './client.js';
import type { JobEventWire } from './types.js';

const RECONNECT_MS = 1000;

interface RawEvent {
  id: string;
  event: string;
  data: string;
}

/** Splits a growing buffer into complete events; returns the events and the unfinished rest. */
export function parseEventStream(buffer: string): { events: RawEvent[]; rest: string } {
  const blocks = buffer.replace(/\r\n?/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  const events: RawEvent[] = [];
  for (const block of blocks) {
    const event: RawEvent = { id: '', event: 'message', data: '' };
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') event.id = value;
      else if (field === 'event') event.event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) continue;
    event.data = data.join('\n');
    events.push(event);
  }
  return { events, rest };
}

/** The error a stream ended with: a refused key as the answer it stands for, anything else a lost connection. */
function streamError(client: ApiClient, data: string): Error {
  let body: { code?: unknown; message?: unknown } = {};
  try {
    body = JSON.parse(data) as typeof body;
  } catch {
    // Not the server's error shape: treated as a lost connection below.
  }
  const message = typeof body.message === 'string' ? body.message : 'The API key was refused';
  if (body.code === 'UNAUTHORIZED') {
    const error = new ApiError(401, 'UNAUTHORIZED', message);
    client.keyRefused(error);
    return error;
  }
  if (body.code === 'FORBIDDEN') return new ApiError(403, 'FORBIDDEN', message);
  return new NetworkError('events');
}

async function readOnce(
  client: ApiClient,
  jobId: string,
  after: number | null,
  onEvent: (event: JobEventWire) => void,
  signal: AbortSignal,
): Promise<void> {
  const response = await client.fetch(`/api/presentations/jobs/${encodeURIComponent(jobId)}/events`, {
    headers: { accept: 'text/event-stream', ...(after !== null && { 'last-event-id': String(after) }) },
    signal,
  });
  if (!response.body) throw new NetworkError('events');
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    const parsed = parseEventStream(buffer + value);
    buffer = parsed.rest;
    for (const raw of parsed.events) {
      if (raw.event === 'error') throw streamError(client, raw.data);
      onEvent(JSON.parse(raw.data) as JobEventWire);
    }
  }
}

export interface FollowOptions {
  client: ApiClient;
  jobId: string;
  /** Replay events after this id (null: the whole log, from the `created` event, id 0). */
  after: number | null;
  onEvent: (event: JobEventWire) => void;
  /** Whether the job has reached a final state (the server then ends the stream). */
  isFinished: () => boolean;
  signal: AbortSignal;
  /** A lost connection (retried after a second), or null once it is back. */
  onConnectionProblem?: (problem: Error | null) => void;
}

/**
 * Calls `onEvent` for each event until the stream ends with the job finished, reconnecting after the
 * last event seen when the connection drops.
 */
export async function followJobEvents(options: FollowOptions): Promise<void> {
  const { client, jobId, onEvent, isFinished, signal } = options;
  let after = options.after;
  const record = (event: JobEventWire) => {
    after = event.id;
    onEvent(event);
  };
  while (!signal.aborted) {
    try {
      await readOnce(client, jobId, after, record, signal);
      options.onConnectionProblem?.(null);
      if (isFinished()) return;
    } catch (error) {
      if (signal.aborted) return;
      if (!(error instanceof NetworkError) && !(error instanceof TypeError)) throw error;
      options.onConnectionProblem?.(error);
    }
    await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
  }
}
