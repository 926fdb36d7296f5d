/**
 * Slide images over real HTTP: a lesson with images (a data URL, or assets sent with it) is queued or
 * stored; an image the server would not render (too large, a decompression bomb, a format it does not
 * take, a URL or a path, an unsafe SVG) is refused with its code and status before anything is
 * written: every table is as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJob, errorOf, json, type WireJob } from '../support/api-helpers.js';
import { startApi, type ApiHarness, type TestUser } from '../support/api-server.js';
import { snapshotTables } from '../support/table-snapshot.js';
import { bombPng, dataUrl, solidPng, svgDataUrl } from '../support/test-images.js';

const PNG = solidPng(16, 12, [0, 128, 255]);
const svg = (body: string, attributes = '') =>
  svgDataUrl(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"${attributes}>${body}</svg>`);

const lessonWith = (image: unknown) => ({
  lesson: { title: 'Pictures', slides: [{ title: 'One', narration: 'A picture.', image }] },
});

describe('HTTP API: slide images', () => {
  let api: ApiHarness;
  let user: TestUser;

  beforeAll(async () => {
    // Room for a body with an image over the 5 MiB image limit.
    api = await startApi({ BODY_LIMIT_BYTES: 16 * 1024 * 1024 }, { workers: 0 });
    user = await api.createUser();
  });
  afterAll(() => api.close());

  it('queues a lesson with a data URL and an asset, and stores the assets with the job', async () => {
    const job = await createJob(api, user, {
      lesson: {
        title: 'Pictures',
        slides: [
          { title: 'One', narration: 'First.', image: { src: dataUrl(PNG), alt: 'A blue tile' } },
          { title: 'Two', narration: 'Second.', image: { src: 'asset:tile', alt: 'The same tile' } },
        ],
      },
      assets: [{ name: 'tile', content_base64: PNG.toString('base64') }],
    });
    const read = await json<WireJob & { payload: { lesson: Record<string, unknown> } }>(
      await api.call(user, 'GET', `/api/presentations/jobs/${job.id}?include_payload=true`),
    );
    expect(read.payload.lesson).toMatchObject({
      slides: [
        { image: { src: dataUrl(PNG), alt: 'A blue tile' } },
        { image: { src: 'asset:tile', alt: 'The same tile' } },
      ],
      assets: [{ name: 'tile', content_base64: PNG.toString('base64') }],
    });
  });

  it('stores a lesson with an asset, and renders it by lesson_id with the asset', async () => {
    const created = await api.call(user, 'POST', '/api/lessons', {
      markdown: '# Pictures\n\n## One\n\n![A blue tile](asset:tile)\n\nA picture.',
      assets: [{ name: 'tile', content_base64: PNG.toString('base64') }],
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const lesson = await json<{ id: string; slides: unknown[] }>(created);
    expect(lesson.slides).toEqual([
      {
        title: 'One',
        bullets: [],
        narration: 'A picture.',
        image: { src: 'asset:tile', alt: 'A blue tile' },
      },
    ]);
    const job = await createJob(api, user, { lesson_id: lesson.id });
    const read = await json<{ payload: { lesson: { assets: unknown } } }>(
      await api.call(user, 'GET', `/api/presentations/jobs/${job.id}?include_payload=true`),
    );
    expect(read.payload.lesson.assets).toEqual([{ name: 'tile', content_base64: PNG.toString('base64') }]);
  });

  const oversize = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]);
  const refusals: [string, unknown, number, string, string?][] = [
    ['an image over 5 MiB', lessonWith(dataUrl(oversize)), 413, 'IMAGE_TOO_LARGE', 'bytes'],
    [
      'a 50000×50000 decompression bomb',
      lessonWith(dataUrl(bombPng(50_000, 50_000))),
      413,
      'IMAGE_TOO_LARGE',
      'pixels',
    ],
    [
      'a GIF',
      lessonWith(dataUrl(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'))),
      422,
      'IMAGE_FORMAT_UNSUPPORTED',
    ],
    ['an https URL', lessonWith('https://example.com/cat.png'), 422, 'IMAGE_SOURCE_REFUSED', 'remote_url'],
    ['a file path', lessonWith({ src: '/etc/passwd', alt: 'x' }), 422, 'IMAGE_SOURCE_REFUSED', 'file_path'],
    ['an asset not sent', lessonWith('asset:nothing'), 422, 'IMAGE_SOURCE_REFUSED', 'unknown_asset'],
    ['an SVG with <script>', lessonWith(svg('<script>alert(1)</script>')), 422, 'SVG_UNSAFE', 'script'],
    ['an SVG with onload=', lessonWith(svg('', ' onload="alert(1)"')), 422, 'SVG_UNSAFE', 'event_handler'],
    [
      'an SVG with an external href',
      lessonWith(svg('<image href="http://169.254.169.254/x"/>')),
      422,
      'SVG_UNSAFE',
      'external_reference',
    ],
    [
      'an SVG with a foreignObject',
      lessonWith(svg('<foreignObject><p>hi</p></foreignObject>')),
      422,
      'SVG_UNSAFE',
      'foreign_object',
    ],
    ['bad base64', lessonWith('data:image/png;base64,@@@@'), 422, 'IMAGE_INVALID'],
  ];

  it.each(refusals)('refuses a job with %s, queuing nothing', async (_what, body, status, code, reason) => {
    const before = await snapshotTables(api.t);
    const answer = await api.call(user, 'POST', '/api/presentations/generate', body);
    expect(answer.status).toBe(status);
    const error = await errorOf(answer);
    expect(error.code).toBe(code);
    if (reason) expect(error.details).toMatchObject({ reason });
    expect(await snapshotTables(api.t)).toEqual(before);
  });

  it('refuses to store a lesson with an unsafe asset, storing nothing', async () => {
    const before = await snapshotTables(api.t);
    const answer = await api.call(user, 'POST', '/api/lessons', {
      title: 'Pictures',
      slides: [{ title: 'One', narration: 'A picture.', image: 'asset:evil' }],
      assets: [{ name: 'evil', content_base64: Buffer.from('<svg onload="x()"/>').toString('base64') }],
    });
    expect(answer.status).toBe(422);
    expect(await errorOf(answer)).toMatchObject({
      code: 'SVG_UNSAFE',
      details: { field: 'assets[0].content_base64', reason: 'event_handler' },
    });
    expect(await snapshotTables(api.t)).toEqual(before);
  });
});
