/**
 * Wake-ups for live progress across processes: a process that wrote events for some jobs announces
 * their ids; every process following one of those jobs reads its log at once instead of at its next
 * poll. Only ids travel: the events themselves are always read from the database, so a lost or late
 * announcement delays an event until the next poll and never changes what is delivered.
 */
export interface JobSignals {
  /** Tells every process that these jobs have new events (call after the write committed). */
  announce(jobIds: readonly string[]): void;
  /** Calls `listener` whenever a process announces `jobId`; returns the way to stop. */
  watch(jobId: string, listener: () => void): () => void;
}
