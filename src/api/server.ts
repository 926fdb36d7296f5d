/**
 * The HTTP server: Fastify with JSON-schema validation on every route, OpenAPI at /docs, API-key
 * authentication on /api, per-key rate limits, and one error shape.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import AjvCompiler from '@fastify/ajv-compiler';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { FailedAuthThrottle } from './auth-throttle.js';
import { docsSecurityHeaders } from './docs-security.js';
import { authenticateWith, callerOf, refuseServiceOutsideItsRoutes } from './caller.js';
import type { ApiContext } from './context.js';
import {
  clientErrorHandler,
  errorBody,
  frameworkErrorHandler,
  HttpError,
  makeErrorHandler,
} from './http-errors.js';
import { JobEventFeeds } from './job-event-feeds.js';
import { KeyWatcher } from './key-watch.js';
import { Metrics } from './metrics.js';
import { RateLimiter, RoleRateLimiter, type RequestLimiter } from './rate-limit.js';
import { RedisRateLimiter } from '../cache/redis-rate-limiter.js';
import { adminRoutes } from './routes/admin.js';
import { jobTransferRoutes } from './routes/job-transfer.js';
import { eventRoutes } from './routes/events.js';
import { lessonRoutes } from './routes/lessons.js';
import { presentationRoutes } from './routes/presentations.js';
import { keyRoutes } from './routes/keys.js';
import { timeSeriesRoutes } from './routes/time-series.js';
import { scheduleRoutes } from './routes/schedules.js';
import { accountRoutes, publicSystemRoutes } from './routes/system.js';
import { videoRoutes } from './routes/videos.js';
import { webhookRoutes } from './routes/webhooks.js';
import { dashboardRoutes } from '../web/serve-dashboard.js';
import { ErrorSchema } from './schemas/common.js';
import { refuseUnrepresentableValues } from './schemas/representable-values.js';
import { JobWireSchema } from './schemas/job-wire.js';
import { seedPresentationRoutes } from './routes/seed-presentations.js';

export interface ServerOptions {
  bodyLimitBytes?: number;
  metrics?: Metrics;
}

/** Every route registered, for the route table tests (isolation matrix, validation sweep). */
export interface RouteEntry {
  method: string;
  url: string;
}

export async function buildServer(
  ctx: ApiContext,
  options: ServerOptions = {},
): Promise<{
  server: FastifyInstance;
  metrics: Metrics;
  routes: RouteEntry[];
}> {
  const server = Fastify({
    logger: false,
    // On close, end idle keep-alive connections at once instead of waiting out their timeout.
    forceCloseConnections: true,
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    // Router errors (an over-long or badly encoded path) answer in the same error shape.
    frameworkErrors: frameworkErrorHandler,
    // And what Node's HTTP parser refuses first (a URL over the header size limit).
    clientErrorHandler,
  });
  const metrics = options.metrics ?? new Metrics(ctx.app.jobs);
  // With Redis, announcements bring events at once and the poll is only the fallback.
  const feeds = new JobEventFeeds(
    ctx.app.jobs,
    { pollMs: ctx.app.signals ? 2000 : 250, pageSize: 500 },
    ctx.app.signals,
  );
  metrics.watchEventFeeds(feeds);
  const keys = new KeyWatcher(ctx.authenticator, ctx.app.logger);
  server.addHook('onClose', async () => {
    keys.close();
    feeds.close();
  });
  const routes: RouteEntry[] = [];
  server.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routes.push({ method, url: route.url });
  });

  server.decorateRequest('caller', null);
  server.setErrorHandler(makeErrorHandler(ctx.app.logger));
  server.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send(errorBody('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`));
  });
  server.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unknown',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  server.addSchema(ErrorSchema);
  server.addSchema(JobWireSchema);
  // Query strings and path parameters arrive as text, so they are coerced to the schema's types;
  // bodies are JSON and must already have the right types ({"script": 12345} is a 400, not a string).
  const validators = AjvCompiler();
  // Fastify types its schema store loosely; these are the TypeBox schemas added just above.
  const schemas = server.getSchemas() as Parameters<typeof validators>[0];
  const ajvOptions = { removeAdditional: false, useDefaults: true, allErrors: false } as const;
  const coercing = validators(schemas, { customOptions: { ...ajvOptions, coerceTypes: 'array' } });
  const strict = validators(schemas, { customOptions: { ...ajvOptions, coerceTypes: false } });
  // Only finite numbers and valid Unicode text pass (see representable-values.ts).
  server.setValidatorCompiler((route) =>
    refuseUnrepresentableValues(route.httpPart === 'body' ? strict(route) : coercing(route)),
  );
  await server.register(swagger, {
    openapi: {
      info: {
        title: 'reelqueue',
        description: 'Durable jobs that turn lesson scripts into narrated presentation videos.',
        version: '0.1.0',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
  });
  server.addHook('onRequest', docsSecurityHeaders);
  await server.register(swaggerUi, { routePrefix: '/docs' });

  publicSystemRoutes(server, ctx, metrics);
  dashboardRoutes(server);

  const authenticate = authenticateWith(ctx.authenticator);
  const { redis } = ctx.app;
  const limiterOf = (perMinute: number, name: string): RequestLimiter =>
    redis && perMinute > 0
      ? new RedisRateLimiter(redis, perMinute, ctx.app.logger, name)
      : new RateLimiter(perMinute);
  const limiter = new RoleRateLimiter(
    limiterOf(ctx.limits.requestsPerMinute, 'rate'),
    limiterOf(ctx.limits.admin.requestsPerMinute, 'rate-admin'),
  );
  const throttle = new FailedAuthThrottle(ctx.limits.failedAuthPerMinute, redis);
  await server.register(async (api) => {
    // A callback hook, not an async one: a remembered key then costs the request no promise.
    const limit = (request: FastifyRequest) => {
      const caller = callerOf(request);
      return limiter.take(caller.role, caller.keyId);
    };
    api.addHook('onRequest', (request, _reply, done) => {
      // A key that was sent and refused counts against the client's address (auth-throttle.ts).
      const refused = (error: Error) => {
        if (isFailedKey(request, error)) throttle.failed(request.ip).then(() => done(error), done);
        else done(error);
      };
      try {
        throttle.check(request.ip);
        const lookup = authenticate(request);
        if (lookup) {
          lookup.then(() => limit(request)).then(() => done(), refused);
          return;
        }
        const counting = limit(request);
        if (counting) {
          counting.then(() => done(), done);
          return;
        }
      } catch (error) {
        refused(error as Error);
        return;
      }
      done();
    });
    api.addHook('onRequest', (request, _reply, done) => {
      try {
        refuseServiceOutsideItsRoutes(request);
      } catch (error) {
        done(error as Error);
        return;
      }
      done();
    });
    presentationRoutes(api, ctx);
    timeSeriesRoutes(api, ctx);
    eventRoutes(api, ctx, feeds, keys);
    videoRoutes(api, ctx);
    accountRoutes(api, ctx);
    lessonRoutes(api, ctx);
    webhookRoutes(api, ctx);
    adminRoutes(api, ctx);
    jobTransferRoutes(api, ctx);
    keyRoutes(api, ctx);
    scheduleRoutes(api, ctx);
    seedPresentationRoutes(api, ctx);
  });

  return { server, metrics, routes };
}

/** An Authorization header was sent and its key refused: a guess, unlike a request with no key. */
function isFailedKey(request: FastifyRequest, error: Error): boolean {
  return (
    error instanceof HttpError && error.code === 'UNAUTHORIZED' && request.headers.authorization !== undefined
  );
}
