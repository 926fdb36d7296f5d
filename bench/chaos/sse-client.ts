/**
 * Follows a job's event stream (`GET …/jobs/{id}/events`) and notes when each event arrived, so a
 * scenario can tell how long an event took from the database to a client.
 */
export interface ReceivedEvent {
  type: string;
  /** The event's own time (`at`), and when this client read it, in ms since the epoch. */
  at: number;
  receivedAt: number;
}

export interface FollowedStream {
  events: ReceivedEvent[];
  /** An `event: error` the server sent, or the stream failing. */
  errors: string[];
  /** Resolves when the stream ends (the job finished, an error, or `close()`). */
  done: Promise<void>;
  close(): void;
}

export function followEvents(baseUrl: string, jobId: string, key: string): FollowedStream {
  const controller = new AbortController();
  const events: ReceivedEvent[] = [];
  const errors: string[] = [];
  const done = (async () => {
    const response = await fetch(`${baseUrl}/api/presentations/jobs/${jobId}/events`, {
      headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    if (!response.ok || !response.body) {
      errors.push(`HTTP ${response.status}`);
      return;
    }
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let split: number;
      while ((split = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, split);
        buffer = buffer.slice(split + 2);
        const type = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (!type || !data) continue;
        if (type === 'error') {
          errors.push(data);
          continue;
        }
        const parsed = JSON.parse(data) as { at: string };
        events.push({ type, at: Date.parse(parsed.at), receivedAt: Date.now() });
      }
    }
  })().catch((error: unknown) => {
    if (!controller.signal.aborted) errors.push(error instanceof Error ? error.message : String(error));
  });
  return { events, errors, done, close: () => controller.abort() };
}
