/**
 * A finished job's video, its captions and thumbnail. The endpoints need the Authorization header, so
 * they are fetched as blobs and shown through object URLs (revoked when the view is left); seeking
 * works on a blob URL without Range requests. The captions are a `<track>`, shown by default.
 */
import type { ApiClient } from '../api/client.js';
import type { JobWire } from '../api/types.js';
import { h } from '../dom.js';

export async function loadMedia(client: ApiClient, job: JobWire, signal: AbortSignal): Promise<HTMLElement> {
  if (!job.video_url) return h('p', { class: 'muted' }, 'This job has no video.');
  const result = (job.result_data ?? {}) as Record<string, unknown>;
  const hasCaptions = typeof result.captions_artifact_id === 'string';
  const [video, thumbnail, captions] = await Promise.all([
    client.objectUrl(job.video_url, signal),
    job.thumbnail_url ? client.objectUrl(job.thumbnail_url, signal).catch(() => null) : null,
    hasCaptions ? client.objectUrl(`${job.video_url}/captions.vtt`, signal).catch(() => null) : null,
  ]);
  signal.addEventListener('abort', () => {
    URL.revokeObjectURL(video);
    if (thumbnail) URL.revokeObjectURL(thumbnail);
    if (captions) URL.revokeObjectURL(captions);
  });
  const language = typeof result.voice === 'string' ? (result.voice.split('-')[0] ?? 'en') : 'en';
  const fileName = `reelqueue-${job.id}.mp4`;
  return h(
    'div',
    { class: 'media' },
    h(
      'video',
      {
        src: video,
        controls: true,
        preload: 'auto',
        playsinline: true,
        ...(thumbnail && { poster: thumbnail }),
        'aria-label': 'The rendered video',
      },
      captions
        ? h('track', { kind: 'captions', src: captions, srclang: language, label: 'Captions', default: true })
        : null,
    ),
    h(
      'div',
      { class: 'media-actions' },
      h('a', { class: 'button primary', href: video, download: fileName }, 'Download MP4'),
      thumbnail
        ? h(
            'figure',
            { class: 'thumbnail' },
            h('img', { src: thumbnail, alt: 'Thumbnail of the video', width: '160' }),
            h(
              'figcaption',
              null,
              h('a', { href: thumbnail, download: `reelqueue-${job.id}.png` }, 'Thumbnail (PNG)'),
            ),
          )
        : null,
    ),
  );
}

/** What the media card shows before the video exists. */
export function mediaPlaceholder(job: JobWire): HTMLElement {
  const ahead = job.queue_position;
  const queued =
    ahead === null || ahead === 0
      ? 'Queued, next in line'
      : `Queued behind ${ahead} job${ahead === 1 ? '' : 's'}`;
  const text =
    job.status === 'pending'
      ? `${queued}: the video appears here when it is rendered.`
      : job.status === 'running'
        ? 'Rendering: the video appears here when it is done.'
        : `No video: the job ${job.status === 'timeout' ? 'timed out' : `is ${job.status}`}.`;
  return h('p', { class: 'media-placeholder' }, text);
}
