/**
 * The security headers of `/docs` (Swagger UI and the OpenAPI document), as the dashboard has them:
 * scripts, styles and requests from this server only, no framing, no MIME sniffing, no referrer.
 * Swagger UI loads only its own files (no inline script); its styles come from its own CSS files and
 * the style attributes its React components set, so styles also allow 'unsafe-inline' (styles only,
 * never scripts). Its schema diagrams and icons are data: images.
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const DOCS_PATH = /^\/docs(?:[/?]|$)/;

/** An `onRequest` hook for the whole server: the headers on every /docs answer, static files too. */
export function docsSecurityHeaders(
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  if (DOCS_PATH.test(request.url)) {
    void reply
      .header('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Referrer-Policy', 'no-referrer')
      .header('X-Frame-Options', 'DENY');
  }
  done();
}
