/**
 * `reelqueue render LESSON -o OUT.mp4`: queues the lesson as a durable `presentation` job, runs it on
 * a worker in this process with a progress bar, and writes the video from the database to OUT.
 * Ctrl-C cancels the job cleanly.
 */
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command, Option } from 'commander';
import { createReelqueue, type Reelqueue } from '../../app.js';
import { ReelqueueError } from '../../errors.js';
import { isFinished, JOB_PRIORITIES, type Job, type JobPriority, type JsonObject } from '../../jobs/model.js';
import { ALL_JOBS } from '../../jobs/store.js';
import { CAPTION_MODES } from '../../render/lesson/model.js';
import { removeStaleWorkDirs } from '../../render/work-dirs.js';
import { configFrom, fail, print, withCommonOptions, type CommonOptions } from '../context.js';

interface RenderOptions extends CommonOptions {
  output: string;
  thumbnail?: string;
  style?: string;
  voice?: string;
  resolution?: string;
  captions?: string;
  vtt?: string;
  titleSlide: boolean;
  closingSlide: boolean;
  revealBullets?: boolean;
  priority?: JobPriority;
  worker: boolean;
}

/** The payload for a lesson file: JSON lesson, Markdown, or a plain script. */
export async function payloadFromFile(file: string): Promise<JsonObject> {
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    throw unreadableInput(file, error);
  });
  const extension = path.extname(file).toLowerCase();
  if (extension === '.json') {
    try {
      const parsed = JSON.parse(text) as JsonObject;
      return 'slides' in parsed ? { lesson: parsed } : parsed;
    } catch (error) {
      throw new ReelqueueError('INVALID_PAYLOAD', `${file} is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (extension === '.md' || extension === '.markdown') return { markdown: text };
  // A plain script has no title of its own: its file's name gives the title slide something to say.
  return { script: text, title: titleFromFileName(file) };
}

/** `how-vaccines-work.txt` → `How vaccines work`. */
export function titleFromFileName(file: string): string {
  const words = path
    .basename(file, path.extname(file))
    .replace(/[-_.]+/g, ' ')
    .trim();
  return words === '' ? 'Lesson' : words.charAt(0).toUpperCase() + words.slice(1);
}

function unreadableInput(file: string, error: unknown): ReelqueueError {
  const reason = (error as NodeJS.ErrnoException).code;
  if (reason === 'ENOENT') {
    return new ReelqueueError('INPUT_NOT_FOUND', `There is no lesson file ${file}: check the path`, {
      file,
    });
  }
  return new ReelqueueError(
    'INPUT_UNREADABLE',
    `Cannot read the lesson file ${file}${reason ? ` (${reason})` : ''}: give a readable .md, .json or .txt file`,
    { file, reason: reason ?? 'UNKNOWN' },
    { cause: error },
  );
}

function bar(job: Job): string {
  const width = 30;
  const filled = Math.round((job.progress / 100) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(job.progress).padStart(3)}% ${
    job.stage ?? job.status
  }: ${job.message}`.slice(0, 110);
}

async function download(
  app: Reelqueue,
  jobId: string,
  kind: 'video' | 'thumbnail' | 'captions',
  file: string,
) {
  const artifact = await app.database.artifacts.find(jobId, kind);
  if (!artifact) throw new ReelqueueError('JOB_NOT_FOUND', `Job ${jobId} has no ${kind}`);
  await pipeline(Readable.from(app.database.artifacts.read(artifact.id)), createWriteStream(file));
  return artifact.size;
}

export function renderCommand(): Command {
  return withCommonOptions(new Command('render'))
    .description('render a lesson (Markdown, JSON or plain text) to a narrated MP4 through the durable queue')
    .argument('<lesson>', 'lesson file: .md, .json or .txt')
    .requiredOption('-o, --output <file>', 'where to write the MP4')
    .option('--thumbnail <file>', 'also write the PNG thumbnail here')
    .option('--style <style>', 'default or scrolling')
    .option('--voice <voice>', 'speech voice, e.g. en, en-us, en-gb')
    .option('--resolution <WxH>', 'video size, default 1280x720')
    .addOption(
      new Option('--captions <mode>', 'soft (default): a subtitle track; burned: also drawn in; off').choices(
        CAPTION_MODES,
      ),
    )
    .option('--vtt <file>', 'also write the captions (WebVTT) here')
    .option('--no-title-slide', 'leave out the title slide')
    .option('--no-closing-slide', 'leave out the closing slide')
    .option('--reveal-bullets', 'show each bullet when the narration reaches its sentence')
    .addOption(new Option('--priority <priority>', 'job priority').choices(JOB_PRIORITIES))
    .option('--no-worker', 'only queue the job and wait (another process runs the workers)')
    .action(async (file: string, options: RenderOptions) => {
      const payload = await payloadFromFile(file);
      for (const field of ['style', 'voice', 'resolution', 'captions'] as const) {
        if (options[field] !== undefined) payload[field] = options[field];
      }
      if (!options.titleSlide) payload.title_slide = false;
      if (!options.closingSlide) payload.closing_slide = false;
      if (options.revealBullets) payload.reveal_bullets = true;
      const app = await createReelqueue(configFrom(options));
      const tty = process.stderr.isTTY;
      let jobId: string | null = null;
      let cancelling = false;
      process.on('SIGINT', () => {
        if (!jobId || cancelling) return;
        cancelling = true;
        process.stderr.write('\ncancelling…\n');
        void app.jobs.cancel(jobId, 'Cancelled from the command line', ALL_JOBS).catch(fail);
      });
      try {
        await removeStaleWorkDirs(await app.database.deploymentId());
        const { job } = await app.enqueue({
          kind: 'presentation',
          payload,
          ...(options.priority && { priority: options.priority }),
        });
        jobId = job.id;
        process.stderr.write(`queued ${job.id}\n`);
        if (options.worker) {
          const worker = app.createWorker({ kinds: ['presentation'], concurrency: 1 });
          worker.start();
        }
        let last = '';
        let current: Job = job;
        while (!isFinished(current.status)) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          current = (await app.jobs.get(job.id, ALL_JOBS)) ?? current;
          const line = bar(current);
          if (line !== last) {
            process.stderr.write(tty ? `\r${line.padEnd(110)}` : `${line}\n`);
            last = line;
          }
        }
        if (tty) process.stderr.write('\n');
        if (current.status !== 'completed') {
          throw new ReelqueueError(
            current.status === 'cancelled'
              ? 'JOB_CANCELLED'
              : current.status === 'timeout'
                ? 'JOB_TIMEOUT'
                : 'HANDLER_FAILED',
            `The render ended ${current.status}: ${current.errorCode ?? ''} ${current.errorMessage ?? ''}`.trim(),
          );
        }
        const size = await download(app, job.id, 'video', options.output);
        if (options.thumbnail) await download(app, job.id, 'thumbnail', options.thumbnail);
        if (options.vtt) await download(app, job.id, 'captions', options.vtt);
        print(options, { jobId: job.id, output: options.output, bytes: size, result: current.result }, () => {
          const r = current.result ?? {};
          return `wrote ${options.output} (${(size / 1e6).toFixed(1)} MB, ${String(r.duration_sec)} s, ${String(
            r.slide_count,
          )} slides) in ${current.processingTimeSeconds?.toFixed(1)} s`;
        });
      } finally {
        await app.close();
      }
    });
}
