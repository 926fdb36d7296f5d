/** The errors the artifact store raises, worded once. */
import { basename } from 'node:path';
import { describeError, ReelqueueError } from '../errors.js';

/** `why` replaces the plain "No artifact" when the artifact vanished under a writer or reader. */
export function artifactNotFound(artifactId: string, why?: string): ReelqueueError {
  const message = why === undefined ? `No artifact ${artifactId}` : `Artifact ${artifactId}: ${why}`;
  return new ReelqueueError('ARTIFACT_NOT_FOUND', message, { artifactId });
}

export function artifactIncomplete(artifactId: string): ReelqueueError {
  return new ReelqueueError(
    'ARTIFACT_INCOMPLETE',
    `Artifact ${artifactId} is still being written (or its writer stopped); it cannot be read`,
    { artifactId },
  );
}

export function rangeNotSatisfiable(
  size: number,
  offset: number,
  length: number | undefined,
): ReelqueueError {
  return new ReelqueueError(
    'RANGE_NOT_SATISFIABLE',
    `Range offset ${offset}, length ${length ?? 'rest'} is outside an artifact of ${size} bytes`,
    { size, offset, length: length ?? null },
  );
}

/**
 * A file given to `writeFile` could not be read: RENDER_FILE_MISSING when it is gone (something
 * outside the job removed it), RENDER_FILE_UNREADABLE otherwise. Names the file, never its folder:
 * the message becomes the job's error message, and internal temp paths stay internal.
 */
export function sourceFileError(path: string, kind: string, cause: unknown): ReelqueueError {
  const file = basename(path);
  const errno = (cause as NodeJS.ErrnoException | undefined)?.code ?? null;
  const missing = errno === 'ENOENT' || errno === 'ENOTDIR';
  const reason = missing
    ? 'the file is missing (it was removed from the work folder before it could be stored)'
    : `the file cannot be read (${errno ?? describeError(cause).split(path).join(file)})`;
  return new ReelqueueError(
    missing ? 'RENDER_FILE_MISSING' : 'RENDER_FILE_UNREADABLE',
    `Cannot store ${file} as the job's ${kind}: ${reason}`,
    { file, kind, errno },
    { cause },
  );
}

/** An error raised by a file system call (it carries an errno code and a syscall). */
export function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}
