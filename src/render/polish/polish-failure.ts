/**
 * Why one slide kept its original narration. Each reason is a stable code: it goes into the job's
 * event (`kept_original[].reason`) and result, so a client can tell a slow server from a broken one.
 */
export const POLISH_FAILURE_REASONS = [
  /** No answer within LLM_TIMEOUT_SECONDS, or the polish step's share of the job's time ran out. */
  'TIMEOUT',
  /** Nothing answered at LLM_BASE_URL (connection refused, unknown host, reset). */
  'UNREACHABLE',
  /** The server answered with a status other than 2xx. */
  'HTTP_STATUS',
  /** The answer was not chat-completions JSON with a `choices[0].message.content` string. */
  'MALFORMED_RESPONSE',
  /** The answer body was larger than LLM_MAX_RESPONSE_BYTES. */
  'RESPONSE_TOO_LARGE',
  /** The request would be larger than the request cap (a guard: lesson limits keep slides below it). */
  'REQUEST_TOO_LARGE',
  /** The model stopped at its token limit (`finish_reason: "length"`): the text would be cut off. */
  'ANSWER_TRUNCATED',
  /** The answer held no text. */
  'EMPTY_ANSWER',
  /**
   * The answer was much longer than the original narration (a rewrite, not a tightening), or it
   * would make the lesson longer than LESSON_MAX_SCRIPT_CHARS (the slides that grew most keep theirs).
   */
  'ANSWER_TOO_LONG',
] as const;
export type PolishFailureReason = (typeof POLISH_FAILURE_REASONS)[number];

/** The stable code of the job event that lists the slides whose narration was kept. */
export const LLM_POLISH_FAILED = 'LLM_POLISH_FAILED';

export class PolishFailure extends Error {
  readonly reason: PolishFailureReason;

  constructor(reason: PolishFailureReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PolishFailure';
    this.reason = reason;
  }
}
