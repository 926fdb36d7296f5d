/**
 * The reelqueue HTTP API for the http scenario, in a process of its own: `startService` with no
 * workers on the database in DATABASE_URL, plus a hello-world route registered on the same Fastify
 * instance before it listens (for the bench only, never part of the product's routes) as the
 * ceiling. Creates one user, an API key and 200 pending jobs, then reports the URLs to hit over IPC.
 */
import type { AddressInfo } from 'node:net';
import { startService } from '../../src/api/start.js';
import { createReelqueue } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { exitOnSignal, report } from './report.js';

const HELLO_PATH = '/bench/hello';
/** Jobs of the owner that the spread status reads cycle through. */
const SPREAD_JOBS = 200;

// No rate limit (0 turns it off): the bench sends far more than RATE_LIMIT_PER_MINUTE with one key.
const config = loadConfig(process.env, { SERVE_WORKERS: 0, RATE_LIMIT_PER_MINUTE: 0 });
const app = await createReelqueue(config, { logger: silentLogger() });
const service = await startService(app, { workers: 0 });
service.server.get(HELLO_PATH, async () => ({ hello: 'world' }));

const user = await app.database.users.createUser({ points: 0 });
const { key } = await app.database.users.createKey(user.id, 'bench');
const { job } = await app.enqueue({ kind: 'noop', userId: user.id });
// More of the owner's pending jobs, for status reads spread over many jobs (each behind the first).
const spread = await app.enqueueMany(
  Array.from({ length: SPREAD_JOBS - 1 }, () => ({ kind: 'noop', userId: user.id })),
);

await service.server.listen({ port: 0, host: '127.0.0.1' });
const { port } = service.server.server.address() as AddressInfo;
const base = `http://127.0.0.1:${port}`;
exitOnSignal(() => service.close());
report({
  type: 'ready',
  statusUrl: `${base}/api/presentations/jobs/${job.id}`,
  spreadPaths: [job, ...spread.map((r) => r.job)].map((j) => `/api/presentations/jobs/${j.id}`).join(','),
  helloUrl: `${base}${HELLO_PATH}`,
  apiKey: key,
  jobStatus: job.status,
});
