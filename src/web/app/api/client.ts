/**
 * Every call the dashboard makes: `Authorization: Bearer <key>` on each, the API's error shape turned
 * into an `ApiError` with its stable code, and a failed connection into a `NetworkError`.
 */
import type { ErrorBody } from './types.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export class NetworkError extends Error {
  constructor(readonly path: string) {
    super('The server could not be reached. Check that reelqueue is running and try again.');
    this.name = 'NetworkError';
  }
}

function isErrorBody(value: unknown): value is ErrorBody {
  const error = (value as { error?: { code?: unknown } } | null)?.error;
  return typeof error?.code === 'string';
}

async function errorOf(response: Response): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => null);
  if (isErrorBody(body)) {
    return new ApiError(response.status, body.error.code, body.error.message, body.error.details);
  }
  return new ApiError(response.status, `HTTP_${response.status}`, response.statusText || 'Request failed');
}

export interface ClientOptions {
  /** Called on every 401: the key is unknown or was revoked. */
  onUnauthorized?: (error: ApiError) => void;
}

export class ApiClient {
  constructor(
    private readonly key: string,
    private readonly options: ClientOptions = {},
  ) {}

  /** A refusal of the key that came another way than an answer (an event stream's error event). */
  keyRefused(error: ApiError): void {
    if (error.status === 401) this.options.onUnauthorized?.(error);
  }

  /** The raw response of a successful call; errors are thrown. */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${this.key}`);
    if (init.body !== undefined) headers.set('content-type', 'application/json');
    let response: Response;
    try {
      response = await fetch(path, { ...init, headers });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new NetworkError(path);
    }
    if (response.ok) return response;
    const error = await errorOf(response);
    if (response.status === 401) this.options.onUnauthorized?.(error);
    throw error;
  }

  async json<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const response = await this.fetch(path, {
      method,
      ...(body !== undefined && { body: JSON.stringify(body) }),
      ...(signal && { signal }),
    });
    return (await response.json()) as T;
  }

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.json<T>('GET', path, undefined, signal);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.json<T>('POST', path, body ?? null);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>('PATCH', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.json<T>('DELETE', path);
  }

  /** A file the API streams (video, thumbnail) as an object URL; the caller revokes it. */
  async objectUrl(path: string, signal?: AbortSignal): Promise<string> {
    const response = await this.fetch(path, signal ? { signal } : {});
    return URL.createObjectURL(await response.blob());
  }
}

/** A query string from the defined values only. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
