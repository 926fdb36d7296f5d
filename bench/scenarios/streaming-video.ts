/**
 * The large video the streaming scenario serves, stored as the render pipeline stores its video:
 * a real job is queued and claimed, the bytes are streamed into reelqueue's artifact store under
 * the job's lease (`artifacts.write`, kind `video`), and the job is completed.
 */
import { randomBytes } from 'node:crypto';
import { createReelqueue } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { leaseOf } from '../../src/jobs/model.js';
import { silentLogger } from '../../src/logger.js';
import { msSince, nowNs } from '../lib/clock.js';

export const MIB = 1024 * 1024;

export interface StoredVideo {
  jobId: string;
  /** Bytes. */
  size: number;
  /** Seconds the artifact write took. */
  writeSeconds: number;
}

/** `mebibytes` MiB of random-looking bytes, one fresh MiB buffer at a time (each one different). */
async function* syntheticVideo(mebibytes: number): AsyncGenerator<Buffer> {
  const pattern = randomBytes(MIB);
  for (let i = 0; i < mebibytes; i++) {
    const piece = Buffer.from(pattern);
    piece.writeUInt32BE(i, 0);
    yield piece;
  }
}

/** Stores a `mebibytes` MiB video for a new, then completed, job on the database in `env`. */
export async function storeLargeVideo(env: Record<string, string>, mebibytes: number): Promise<StoredVideo> {
  const app = await createReelqueue(loadConfig({}, env), { logger: silentLogger() });
  try {
    const { job: queued } = await app.enqueue({ kind: 'noop' });
    const [job] = await app.jobs.claim({
      workerId: 'bench-streaming',
      kinds: ['noop'],
      limit: 1,
      leaseSeconds: 3600,
    });
    if (!job || job.id !== queued.id) throw new Error('could not claim the job to store the video for');
    const lease = leaseOf(job);
    const started = nowNs();
    const video = await app.database.artifacts.write({
      lease,
      kind: 'video',
      contentType: 'video/mp4',
      source: syntheticVideo(mebibytes),
    });
    const writeSeconds = msSince(started) / 1000;
    await app.jobs.complete(lease, { video_artifact_id: video.id, video_size_bytes: video.size });
    return { jobId: job.id, size: video.size, writeSeconds };
  } finally {
    await app.close();
  }
}
