/**
 * Video streaming over real HTTP: single byte ranges (RFC 9110 §14) on a finished video, 416 past the
 * end, HEAD, a stable ETag, and the PNG thumbnail. Every partial body equals the same slice of the
 * full download.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJob, errorOf, untilStatus } from '../support/api-helpers.js';
import { startApi, TINY_LESSON, type ApiHarness, type TestUser } from '../support/api-server.js';

describe('HTTP API: video and thumbnail streaming with Range', () => {
  let api: ApiHarness;
  let alice: TestUser;
  let jobId: string;
  let video: Buffer;
  let size: number;
  let etag: string;

  beforeAll(async () => {
    api = await startApi();
    alice = await api.createUser();
    jobId = (await createJob(api, alice, TINY_LESSON)).id;
    await untilStatus(api, alice, jobId, 'completed');
    const full = await api.call(alice, 'GET', `/api/videos/${jobId}`);
    expect(full.status).toBe(200);
    video = Buffer.from(await full.arrayBuffer());
    size = video.length;
    etag = full.headers.get('etag') ?? '';
  });
  afterAll(() => api.close());

  const ranged = (range: string, method = 'GET', path = `/api/videos/${jobId}`) =>
    api.call(alice, method, path, undefined, { range });

  /** A 206 for `range` whose body is bytes start..end (inclusive) of the full video. */
  async function expectPartial(range: string, start: number, end: number): Promise<void> {
    const response = await ranged(range);
    expect(response.status, range).toBe(206);
    expect(response.headers.get('content-range'), range).toBe(`bytes ${start}-${end}/${size}`);
    expect(response.headers.get('content-length'), range).toBe(String(end - start + 1));
    expect(response.headers.get('content-type')).toBe('video/mp4');
    expect(response.headers.get('etag')).toBe(etag);
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.equals(video.subarray(start, end + 1)), range).toBe(true);
  }

  it('serves the whole video with its length, type, Accept-Ranges and a sha256 ETag', async () => {
    expect(size).toBeGreaterThan(1000);
    expect(video.subarray(4, 8).toString('latin1')).toBe('ftyp');
    const response = await api.call(alice, 'GET', `/api/videos/${jobId}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('content-length')).toBe(String(size));
    expect(response.headers.get('content-type')).toBe('video/mp4');
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(response.headers.get('etag')).toBe(etag);
    expect(Buffer.from(await response.arrayBuffer()).equals(video)).toBe(true);
  });

  it('serves the first byte', () => expectPartial('bytes=0-0', 0, 0));

  it('serves the last byte, by position and as a one-byte suffix', async () => {
    await expectPartial(`bytes=${size - 1}-${size - 1}`, size - 1, size - 1);
    await expectPartial('bytes=-1', size - 1, size - 1);
  });

  it('serves a range in the middle', async () => {
    const start = Math.floor(size / 3);
    await expectPartial(`bytes=${start}-${start + 999}`, start, start + 999);
  });

  it('serves a suffix range bytes=-N, and the whole file when N is larger than it', async () => {
    await expectPartial('bytes=-500', size - 500, size - 1);
    await expectPartial(`bytes=-${size + 100}`, 0, size - 1);
  });

  it('serves an open range bytes=N- to the end, and clamps an end past the last byte', async () => {
    await expectPartial(`bytes=${size - 700}-`, size - 700, size - 1);
    await expectPartial(`bytes=10-${size + 5000}`, 10, size - 1);
  });

  it('answers 416 with Content-Range bytes */size for a range past the end', async () => {
    for (const range of [`bytes=${size}-`, `bytes=${size + 10}-${size + 20}`, 'bytes=-0']) {
      const response = await ranged(range);
      expect(response.status, range).toBe(416);
      expect(response.headers.get('content-range'), range).toBe(`bytes */${size}`);
      expect((await errorOf(response)).code).toBe('RANGE_NOT_SATISFIABLE');
    }
  });

  it('answers HEAD with the headers of the GET and no body', async () => {
    const head = await api.call(alice, 'HEAD', `/api/videos/${jobId}`);
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(size));
    expect(head.headers.get('content-type')).toBe('video/mp4');
    expect(head.headers.get('accept-ranges')).toBe('bytes');
    expect(head.headers.get('etag')).toBe(etag);
    expect((await head.arrayBuffer()).byteLength).toBe(0);

    const partial = await ranged('bytes=100-199', 'HEAD');
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-length')).toBe('100');
    expect(partial.headers.get('content-range')).toBe(`bytes 100-199/${size}`);
    expect((await partial.arrayBuffer()).byteLength).toBe(0);
  });

  it('keeps the ETag stable, across requests and a restart, and honours If-None-Match and If-Range', async () => {
    await api.restart();
    const again = await api.call(alice, 'GET', `/api/videos/${jobId}`);
    expect(again.headers.get('etag')).toBe(etag);
    expect(Buffer.from(await again.arrayBuffer()).equals(video)).toBe(true);

    const notModified = await api.call(alice, 'GET', `/api/videos/${jobId}`, undefined, {
      'if-none-match': etag,
    });
    expect(notModified.status).toBe(304);
    // A stale If-Range validator gets the whole, current file instead of a slice of it.
    const stale = await api.call(alice, 'GET', `/api/videos/${jobId}`, undefined, {
      range: 'bytes=0-9',
      'if-range': '"0000"',
    });
    expect(stale.status).toBe(200);
    expect(Buffer.from(await stale.arrayBuffer()).equals(video)).toBe(true);
    const fresh = await api.call(alice, 'GET', `/api/videos/${jobId}`, undefined, {
      range: 'bytes=0-9',
      'if-range': etag,
    });
    expect(fresh.status).toBe(206);
    expect(Buffer.from(await fresh.arrayBuffer()).equals(video.subarray(0, 10))).toBe(true);
  });

  it('serves the thumbnail as image/png, with Range too', async () => {
    const response = await api.call(alice, 'GET', `/api/videos/${jobId}/thumbnail`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await response.arrayBuffer());
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(
      true,
    );
    expect(response.headers.get('content-length')).toBe(String(png.length));

    const tail = await ranged('bytes=-12', 'GET', `/api/videos/${jobId}/thumbnail`);
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(png.subarray(png.length - 12))).toBe(true);
    const head = await api.call(alice, 'HEAD', `/api/videos/${jobId}/thumbnail`);
    expect(head.headers.get('content-length')).toBe(String(png.length));
    expect(head.headers.get('content-type')).toBe('image/png');
  });

  it('answers 404 with a code for the video of a job that has none yet', async () => {
    await Promise.all(api.service.workers.map((worker) => worker.stop()));
    const pending = await createJob(api, alice, TINY_LESSON);
    const response = await api.call(alice, 'GET', `/api/videos/${pending.id}`);
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe('NOT_FOUND');
  });
});
