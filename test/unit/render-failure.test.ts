/** A failed render's error: internal temp paths never reach the job's message, missing files get a code. */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReelqueueError } from '../../src/errors.js';
import { ProcessFailedError } from '../../src/render/ffmpeg/run-process.js';
import {
  hidePrivatePaths,
  publicRenderError,
  withFilesChecked,
  type PrivateFolders,
} from '../../src/render/render-failure.js';

const folders: PrivateFolders = {
  workRoot: '/tmp/reelqueue',
  workDir: '/tmp/reelqueue/job-0190a5c8-0000-7000-8000-000000000001-Ab12Cd',
  ttsCacheDir: '/var/lib/reelqueue/tts-cache',
};
const live = new AbortController().signal;

function messageOf(error: unknown): string {
  return (error as Error).message;
}

describe('hidePrivatePaths', () => {
  it('names a file of the work folder by its name there, with or without file:', () => {
    const text =
      `ffprobe exited with code 1: file:${folders.workDir}/presentation.mp4: No such file or directory | ` +
      `open '${folders.workDir}/slides/slide-001.png'`;
    expect(hidePrivatePaths(text, folders)).toBe(
      "ffprobe exited with code 1: presentation.mp4: No such file or directory | open 'slides/slide-001.png'",
    );
  });

  it('hides the folders themselves, the speech cache and other jobs’ folders', () => {
    const text =
      `rmdir ${folders.workDir}, read ${folders.ttsCacheDir}/abc.wav, ` +
      `${folders.workRoot}/job-0190a5c8-0000-7000-8000-000000000002-Zz99Yy/x.png and ${folders.workRoot}`;
    const hidden = hidePrivatePaths(text, folders);
    expect(hidden).toBe("rmdir the job's work folder, read abc.wav, x.png and the work folder root");
    expect(hidden).not.toContain('/tmp');
  });
});

describe('publicRenderError', () => {
  it('turns a missing file into RENDER_FILE_MISSING without its path', async () => {
    const missing = await readFile(`${folders.workDir}/narration.wav`).catch((error: unknown) => error);
    const error = publicRenderError(missing, folders, live);
    expect(error).toBeInstanceOf(ReelqueueError);
    expect((error as ReelqueueError).code).toBe('RENDER_FILE_MISSING');
    expect(messageOf(error)).toContain('narration.wav');
    expect(JSON.stringify([messageOf(error), (error as ReelqueueError).details])).not.toContain('/tmp');
  });

  it('leaves a missing file outside the render’s folders (a font) as HANDLER_FAILED', async () => {
    const missing = await readFile('/nonexistent/fonts/DejaVuSans.ttf').catch((error: unknown) => error);
    expect((publicRenderError(missing, folders, live) as ReelqueueError).code).toBe('HANDLER_FAILED');
  });

  it('keeps the code of a ReelqueueError and hides paths in its message and details', () => {
    const original = new ReelqueueError('RENDER_FILE_UNREADABLE', `bad ${folders.workDir}/thumbnail.png`, {
      file: `${folders.workDir}/thumbnail.png`,
    });
    const error = publicRenderError(original, folders, live) as ReelqueueError;
    expect(error.code).toBe('RENDER_FILE_UNREADABLE');
    expect(error.message).toBe('bad thumbnail.png');
    expect(error.details).toEqual({ file: 'thumbnail.png' });
  });

  it('hides paths in what a failed ffmpeg said, keeping HANDLER_FAILED', () => {
    const failed = new ProcessFailedError(
      'ffmpeg',
      1,
      null,
      `file:${folders.workDir}/overlay.png: Invalid data`,
    );
    const error = publicRenderError(failed, folders, live) as ReelqueueError;
    expect(error.code).toBe('HANDLER_FAILED');
    expect(error.message).toBe('ffmpeg exited with code 1: overlay.png: Invalid data');
  });

  it('leaves the error of an aborted render alone: the worker reads the abort reason', () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    const original = new Error(`in ${folders.workDir}`);
    expect(publicRenderError(original, folders, controller.signal)).toBe(original);
  });
});

describe('withFilesChecked', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'reelqueue-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names the missing file when a step that used it fails', async () => {
    const video = path.join(dir, 'presentation.mp4');
    const failure = withFilesChecked(
      () => [{ path: video, what: 'encoded video' }],
      live,
      () => Promise.reject(new Error(`ffprobe: ${video}: No such file or directory`)),
    );
    await expect(failure).rejects.toMatchObject({
      code: 'RENDER_FILE_MISSING',
      details: { file: 'presentation.mp4' },
    });
    await expect(failure).rejects.toThrow(/encoded video \(presentation\.mp4\) disappeared/);
  });

  it('rethrows the step’s own error when its files are all there', async () => {
    const own = new Error('something else');
    await expect(
      withFilesChecked(
        () => [{ path: dir, what: 'folder' }],
        live,
        () => Promise.reject(own),
      ),
    ).rejects.toBe(own);
  });
});
