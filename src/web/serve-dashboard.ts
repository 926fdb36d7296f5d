/**
 * Serves the dashboard that `npm run build:web` writes to dist/web/public: `/` is index.html
 * (revalidated on every load, so a new build shows at once), and each file under `/assets/` has a
 * content hash in its name, so browsers keep it for a year. One route per built file, read once at
 * start: no path from the URL ever reaches the file system.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** src/web/ (tests, tsx) and dist/web/ (the build) both sit two levels below the package root. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../dist/web/public/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** The page's script, styles, video and thumbnail come from this server only (blob: for media). */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const REVALIDATE = 'no-cache';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const HIDDEN = { schema: { hide: true } };

interface StaticFile {
  body: Buffer;
  contentType: string;
  etag: string;
  cacheControl: string;
}

function load(file: string, cacheControl: string): StaticFile {
  const body = readFileSync(file);
  return {
    body,
    contentType: CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    cacheControl,
  };
}

function sendFile(file: StaticFile) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    void reply
      .header('Content-Type', file.contentType)
      .header('Cache-Control', file.cacheControl)
      .header('ETag', file.etag)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Referrer-Policy', 'no-referrer');
    if (file.contentType.startsWith('text/html')) {
      void reply.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    }
    if (request.headers['if-none-match'] === file.etag) return reply.status(304).send();
    return reply.send(file.body);
  };
}

export function dashboardRoutes(server: FastifyInstance, dir: string = DASHBOARD_DIR): void {
  const index = path.join(dir, 'index.html');
  if (!existsSync(index)) {
    server.get('/', HIDDEN, async (_request, reply) =>
      reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The dashboard is not built: run `npm run build` (or `npm run build:web`).\n'),
    );
    return;
  }
  server.get('/', HIDDEN, sendFile(load(index, REVALIDATE)));
  const assets = path.join(dir, 'assets');
  for (const name of readdirSync(assets)) {
    if (!path.extname(name) || name.endsWith('.tmp')) continue;
    const file = loadIfPresent(path.join(assets, name), IMMUTABLE);
    if (file) server.get(`/assets/${name}`, HIDDEN, sendFile(file));
  }
}

/** A file that a rebuild running at the same moment may just have removed: then there is none. */
function loadIfPresent(file: string, cacheControl: string): StaticFile | null {
  try {
    return load(file, cacheControl);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
