/**
 * Error codes → HTTP statuses, in one place, and the one error body every route answers:
 * `{error: {code, message, details}}`.
 */
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { databaseUnavailable, isDatabaseUnavailable } from '../db/outage.js';
import { isReelqueueError, type ErrorCode, type ReelqueueError } from '../errors.js';
import type { Logger } from '../logger.js';

/** Codes the HTTP layer itself raises, besides the domain's. */
export type HttpErrorCode =
  | ErrorCode
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'TOO_MANY_FAILED_AUTH'
  | 'INSUFFICIENT_POINTS'
  | 'WALLET_MISMATCH'
  | 'INTERNAL_ERROR';

const STATUS: Partial<Record<HttpErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  UNKNOWN_KIND: 400,
  INVALID_PAYLOAD: 400,
  INVALID_PRIORITY: 400,
  INVALID_TIMEOUT: 400,
  INVALID_STATUS: 400,
  INVALID_CRON: 400,
  INVALID_TIME_ZONE: 400,
  UNAUTHORIZED: 401,
  INSUFFICIENT_POINTS: 402,
  FORBIDDEN: 403,
  WALLET_MISMATCH: 403,
  NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  PARENT_NOT_FOUND: 404,
  LESSON_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  KEY_NOT_FOUND: 404,
  SCHEDULE_NOT_FOUND: 404,
  WALLET_TAKEN: 409,
  SCHEDULE_EXISTS: 409,
  JOB_NOT_RETRYABLE: 409,
  JOB_NOT_CANCELLABLE: 409,
  JOB_NOT_FINISHED: 409,
  JOB_NOT_PENDING: 409,
  RETRY_LIMIT_REACHED: 409,
  WEBHOOK_ROTATION_IN_PROGRESS: 409,
  IMPORT_INVALID_LINE: 400,
  IMPORT_CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  IMAGE_TOO_LARGE: 413,
  IMAGE_FORMAT_UNSUPPORTED: 422,
  IMAGE_SOURCE_REFUSED: 422,
  IMAGE_INVALID: 422,
  SVG_UNSAFE: 422,
  TOO_MANY_JOBS: 429,
  RATE_LIMITED: 429,
  TOO_MANY_FAILED_AUTH: 429,
  DATABASE_UNAVAILABLE: 503,
  DATABASE_BUSY: 503,
};

export function httpStatusFor(code: string): number {
  return STATUS[code as HttpErrorCode] ?? 500;
}

export class HttpError extends Error {
  readonly code: HttpErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: HttpErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

export function notFound(what: string): HttpError {
  return new HttpError('NOT_FOUND', `${what} was not found`);
}

export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> | null };
}

export function errorBody(
  code: string,
  message: string,
  details?: Record<string, unknown> | null,
): ErrorBody {
  return { error: { code, message, details: details ?? null } };
}

/** Fastify's own errors (validation, body size, bad JSON) get codes too. */
function fromFastify(error: FastifyError): { status: number; body: ErrorBody } | null {
  if (error.validation) {
    return {
      status: 400,
      body: errorBody('VALIDATION_FAILED', `Invalid request: ${error.message}`, {
        problems: error.validation.map((v) => ({
          field: v.instancePath || (v.params as { missingProperty?: string }).missingProperty || '',
          problem: v.message ?? 'invalid',
        })),
      }),
    };
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, body: errorBody('PAYLOAD_TOO_LARGE', 'The request body is too large') };
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { status: 415, body: errorBody('VALIDATION_FAILED', 'Send the body as application/json') };
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, body: errorBody('VALIDATION_FAILED', error.message) };
  }
  return null;
}

/**
 * A job or lesson that is not the caller's answers exactly like one that does not exist: one fixed
 * body that never echoes the id, so nothing in the answer depends on whose the id is.
 */
const OWNED_NOT_FOUND: Partial<Record<string, ErrorBody>> = {
  JOB_NOT_FOUND: errorBody('JOB_NOT_FOUND', 'No such job'),
  LESSON_NOT_FOUND: errorBody('LESSON_NOT_FOUND', 'No such lesson'),
};

/**
 * The `error` object an answer refusing `error` carries, for results that report refusals item by
 * item (a bulk retry): worded as the error answer of a single request would be.
 */
export function refusalOf(error: HttpError | ReelqueueError): ErrorBody['error'] {
  return (OWNED_NOT_FOUND[error.code] ?? errorBody(error.code, error.message, error.details)).error;
}

/**
 * For Fastify's `frameworkErrors` option: what the router refuses before any route runs (a path
 * parameter over `maxParamLength`, a malformed percent-encoding) answers in the one error shape too.
 */
export function frameworkErrorHandler(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  void reply
    .status(error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400)
    .send(errorBody('VALIDATION_FAILED', error.message, { reason: error.code }));
}

/**
 * PostgreSQL refuses text it cannot store (a NUL character): SQLSTATE 22021 or 22P05. That is the
 * caller's input, not our failure, and the statement changed nothing.
 */
const UNSTORABLE_TEXT_SQLSTATES = new Set(['22021', '22P05']);

function isUnstorableText(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNSTORABLE_TEXT_SQLSTATES.has(code)) return true;
  }
  return false;
}

export function makeErrorHandler(logger: Logger) {
  return (thrown: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void => {
    // An outage (by its driver's code: outage.ts) answers 503 DATABASE_UNAVAILABLE with Retry-After.
    const outage = isDatabaseUnavailable(thrown);
    if (outage) logger.warn({ err: thrown, url: request.url }, 'the database is unavailable');
    const error = outage ? databaseUnavailable(thrown) : thrown;
    if (error instanceof HttpError || isReelqueueError(error)) {
      const body = OWNED_NOT_FOUND[error.code] ?? errorBody(error.code, error.message, error.details);
      const retryAfter = error.details?.retryAfterSeconds;
      if (typeof retryAfter === 'number') void reply.header('Retry-After', String(retryAfter));
      void reply.status(httpStatusFor(error.code)).send(body);
      return;
    }
    if (isUnstorableText(error)) {
      void reply
        .status(400)
        .send(errorBody('VALIDATION_FAILED', 'Text fields may not contain NUL (\\u0000) characters'));
      return;
    }
    const mapped = fromFastify(error as FastifyError);
    if (mapped) {
      void reply.status(mapped.status).send(mapped.body);
      return;
    }
    logger.error({ err: error, url: request.url }, 'request failed');
    void reply
      .status(500)
      .send(errorBody('INTERNAL_ERROR', 'Something went wrong on our side; it was logged'));
  };
}

/** What Node's HTTP parser refuses before Fastify sees a request, each in the one error shape. */
const CLIENT_ERRORS: Record<string, { status: number; text: string; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    text: 'Request Header Fields Too Large',
    message: 'The request line or headers are too large (a URL or query string too long?)',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    text: 'Request Timeout',
    message: 'The request took too long to arrive',
  },
};

/**
 * For Fastify's `clientErrorHandler` option: a request Node cannot parse (a URL over the header size
 * limit, a malformed request line) answers `{error: {code, message, details}}` too, not Fastify's
 * own shape.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = (error.code && CLIENT_ERRORS[error.code]) || {
    status: 400,
    text: 'Bad Request',
    message: 'The request could not be parsed as HTTP',
  };
  const body = JSON.stringify(errorBody('VALIDATION_FAILED', known.message, { reason: error.code ?? null }));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${known.status} ${known.text}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
