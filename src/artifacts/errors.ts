/** The errors the artifact store raises, worded once. */
import { ReelqueueError } from '../errors.js';

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
