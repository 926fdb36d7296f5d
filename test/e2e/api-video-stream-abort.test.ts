/**
 * A video stream that ends early, over real HTTP: a client that hangs up mid-stream, and a video
 * deleted while it is streamed. Either way the server lets go of what the stream held (no database
 * connection stays lent out, no piece query stays running) and goes on serving. The service runs with
 * a pool of 2 connections, so a stream that kept one would show at once.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaseOf } from '../../src/jobs/model.js';
import { startApi, type ApiHarness } from '../support/api-server.js';
import { nextEvent, waitFor } from '../support/wait.js';

const MiB = 1024 * 1024;
/** Far more than loopback socket buffers hold, so a paused client really stops the server. */
const VIDEO_BYTES = 24 * MiB + 5;

/** A GET of the video that has received its first bytes and is paused there. */
interface OpenStream {
  request: http.ClientRequest;
  response: http.IncomingMessage;
  received: number;
}

describe('HTTP API: a video stream that ends early', () => {
  let api: ApiHarness;
  let video: Buffer;

  beforeAll(async () => {
    api = await startApi({ DATABASE_POOL_SIZE: 2 }, { workers: 0 });
    video = randomBytes(VIDEO_BYTES);
  });
  afterAll(() => api.close());

  /** A completed job whose video is `video`, stored as the render pipeline stores it. */
  async function jobWithVideo(): Promise<{ jobId: string; artifactId: string }> {
    const { job: queued } = await api.app.enqueue({ kind: 'noop' });
    const [job] = await api.app.jobs.claim({
      workerId: 'stream-test',
      kinds: ['noop'],
      limit: 1,
      leaseSeconds: 600,
    });
    if (job?.id !== queued.id) throw new Error('could not claim the job');
    const lease = leaseOf(job);
    const stored = await api.app.database.artifacts.write({
      lease,
      kind: 'video',
      contentType: 'video/mp4',
      source: Readable.from([video]),
    });
    await api.app.jobs.complete(lease, { video_artifact_id: stored.id });
    return { jobId: job.id, artifactId: stored.id };
  }

  function openStream(jobId: string): Promise<OpenStream> {
    return new Promise((resolve, reject) => {
      const request = http.get(
        `${api.baseUrl}/api/videos/${jobId}`,
        { agent: false, headers: { authorization: `Bearer ${api.admin.key}`, range: 'bytes=1-' } },
        (response) => {
          if (response.statusCode !== 206) reject(new Error(`status ${response.statusCode}`));
          response.once('data', (first: Buffer) => {
            response.pause();
            resolve({ request, response, received: first.length });
          });
        },
      );
      request.on('error', reject);
    });
  }

  /** Piece queries of the artifact still running on PostgreSQL (none on SQLite, which has no server). */
  async function runningPieceQueries(artifactId: string): Promise<number> {
    if (api.t.dialect !== 'postgres') return 0;
    const [row] = await api.t.sql<{ n: number }>(
      {
        sqlite: 'SELECT 0 AS n',
        postgres: `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE state <> 'idle' AND query LIKE 'COPY%' AND query LIKE ?`,
      },
      [`%${artifactId}%`],
    );
    return row?.n ?? 0;
  }

  /** The whole video again, in full: the service still has connections to serve it with. */
  async function expectServedInFull(jobId: string): Promise<void> {
    const response = await api.call(api.admin, 'GET', `/api/videos/${jobId}`);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(video)).toBe(true);
  }

  it('frees what a stream held when its client hangs up mid-stream', async () => {
    const { jobId, artifactId } = await jobWithVideo();
    // Twice the pool's size: each stream that kept its connection would leave the next one waiting.
    for (let i = 0; i < 4; i++) {
      const stream = await openStream(jobId);
      expect(stream.received).toBeLessThan(VIDEO_BYTES - 1);
      const closed = nextEvent(stream.request, 'close');
      stream.request.destroy();
      await closed;
    }
    await waitFor(async () => (await runningPieceQueries(artifactId)) === 0, {
      what: 'no piece query running',
    });
    await expectServedInFull(jobId);
  });

  it('ends a stream whose video is deleted mid-stream, without the rest of it, and goes on serving', async () => {
    const { jobId, artifactId } = await jobWithVideo();
    const stream = await openStream(jobId);
    let received = stream.received;
    stream.response.on('data', (part: Buffer) => {
      received += part.length;
    });
    const ended = new Promise<string>((resolve) => {
      stream.response.once('end', () => resolve('end'));
      stream.response.once('aborted', () => resolve('aborted'));
      stream.response.once('error', () => resolve('error'));
      stream.request.once('error', () => resolve('error'));
    });
    expect(await api.app.database.artifacts.deleteForJob(jobId)).toBe(1);
    stream.response.resume();
    const how = await ended;
    // The response is cut short: the client can tell it did not get the whole video.
    expect(received, how).toBeLessThan(VIDEO_BYTES - 1);
    await waitFor(async () => (await runningPieceQueries(artifactId)) === 0, {
      what: 'no piece query running',
    });
    const gone = await api.call(api.admin, 'GET', `/api/videos/${jobId}`);
    expect(gone.status).toBe(404);
    await expectServedInFull((await jobWithVideo()).jobId);
  });
});
