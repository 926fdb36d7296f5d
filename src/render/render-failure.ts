/**
 * What a failed render tells its job: a stable code, and a message that names the render's files by
 * their names in the work folder, never by their internal temp paths (the message is the job's
 * `error_message`, which its owner reads).
 */
import { access } from 'node:fs/promises';
import { basename, isAbsolute, relative, sep } from 'node:path';
import { isFileSystemError } from '../artifacts/errors.js';
import { describeError, isReelqueueError, ReelqueueError } from '../errors.js';

/** Folders of this host whose paths stay out of job messages. */
export interface PrivateFolders {
  /** This job's work folder. */
  readonly workDir: string;
  /** The parent of every job's work folder. */
  readonly workRoot: string;
  /** The speech cache. */
  readonly ttsCacheDir: string;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Characters that end a path inside a message (ffmpeg and Node quote paths or end them with `:`). */
const PATH_CHARS = `[^\\s'"\`|,:;()]*`;

/**
 * `text` with every path under a private folder replaced: a file of the job's work folder by its
 * name there (`presentation.mp4`), anything else by its last name, a folder itself by a description.
 */
export function hidePrivatePaths(text: string, folders: PrivateFolders): string {
  const roots = [
    { root: folders.workDir, name: "the job's work folder" },
    { root: folders.ttsCacheDir, name: 'the speech cache' },
    { root: folders.workRoot, name: 'the work folder root' },
  ].filter(({ root }) => root.length > 1);
  let hidden = text;
  for (const { root, name } of roots) {
    const trimmed = root.endsWith(sep) ? root.slice(0, -1) : root;
    const pattern = new RegExp(`(?:file:)?${escapeRegExp(trimmed)}(?:/${PATH_CHARS})?`, 'g');
    hidden = hidden.replace(pattern, (match) => {
      const path = match.startsWith('file:') ? match.slice('file:'.length) : match;
      const inside = relative(trimmed, path);
      if (inside === '') return name;
      return trimmed === folders.workDir ? inside : basename(path);
    });
  }
  return hidden;
}

/** A file the render wrote is gone: something outside the job removed it from its work folder. */
export function renderFileMissing(path: string, what: string, cause?: unknown): ReelqueueError {
  const file = basename(path);
  return new ReelqueueError(
    'RENDER_FILE_MISSING',
    `The ${what} (${file}) disappeared from the job's work folder before the render could use it: ` +
      'something outside reelqueue removed it',
    { file },
    cause === undefined ? undefined : { cause },
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs a step that reads or writes files of the render (ffmpeg, ffprobe). When it fails and one of
 * its files (`files()`, asked after the failure) is gone, the failure is RENDER_FILE_MISSING naming
 * that file, whatever the step said. An abort is left as it is.
 */
export async function withFilesChecked<T>(
  files: () => readonly { path: string; what: string }[],
  signal: AbortSignal,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (signal.aborted) throw error;
    for (const file of files()) {
      if (!(await exists(file.path))) throw renderFileMissing(file.path, file.what, error);
    }
    throw error;
  }
}

const MISSING_ERRNOS: ReadonlySet<string> = new Set(['ENOENT', 'ENOTDIR']);

function hideInDetails(
  details: Record<string, unknown> | undefined,
  folders: PrivateFolders,
): Record<string, unknown> | undefined {
  if (details === undefined) return undefined;
  return Object.fromEntries(
    Object.entries(details).map(([key, value]) => [
      key,
      typeof value === 'string' ? hidePrivatePaths(value, folders) : value,
    ]),
  );
}

/** A path in the job's work folder or the speech cache: files the render itself writes. */
function isInside(path: string | undefined, folders: PrivateFolders): path is string {
  if (path === undefined) return false;
  return [folders.workDir, folders.ttsCacheDir].some((root) => {
    const inside = relative(root, path);
    return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside);
  });
}

/**
 * The error a failed render or store hands to the worker: a file system error about a missing file
 * the render wrote becomes RENDER_FILE_MISSING (one elsewhere, such as a font, is an install
 * problem and stays HANDLER_FAILED); every message loses its private paths. Aborts (cancel, timeout, lost
 * lease) pass through unchanged: the worker reads their reason from the signal.
 */
export function publicRenderError(error: unknown, folders: PrivateFolders, signal: AbortSignal): unknown {
  if (signal.aborted) return error;
  if (isReelqueueError(error)) {
    const message = hidePrivatePaths(error.message, folders);
    const details = hideInDetails(error.details, folders);
    if (message === error.message && JSON.stringify(details) === JSON.stringify(error.details)) return error;
    return new ReelqueueError(error.code, message, details, { cause: error });
  }
  if (isFileSystemError(error) && MISSING_ERRNOS.has(error.code ?? '') && isInside(error.path, folders)) {
    const file = hidePrivatePaths(error.path, folders);
    return new ReelqueueError(
      'RENDER_FILE_MISSING',
      `A file of the render is missing (${file}, ${error.syscall ?? 'file access'}): something outside ` +
        "reelqueue removed it from the job's work folder",
      { file },
      { cause: error },
    );
  }
  return new ReelqueueError('HANDLER_FAILED', hidePrivatePaths(describeError(error), folders), undefined, {
    cause: error,
  });
}
