/**
 * Rendered files (videos, thumbnails) stored in the database as fixed-size chunks (DESIGN §6).
 * An artifact belongs to a job; it becomes readable only when the holder of that job's current
 * lease marks it complete, with its size and sha256.
 */
import { ReelqueueError } from '../errors.js';
import { isJobId } from '../jobs/model.js';

/** Every artifact is stored in pieces of exactly this size (the last one may be shorter). */
export const ARTIFACT_CHUNK_SIZE = 1024 * 1024;

/** `video` and `thumbnail` are what the render pipeline writes; any other lower-case name works too. */
export type ArtifactKind = 'video' | 'thumbnail' | (string & {});

/** A complete artifact: its bytes are all stored and their size and digest are known. */
export interface ArtifactInfo {
  id: string;
  jobId: string;
  kind: string;
  contentType: string;
  size: number;
  /** Lower-case hex sha256 of the whole content. */
  sha256: string;
  chunkSize: number;
  /** The job attempt (lease) that wrote it. */
  attempt: number;
  createdAt: Date;
  completedAt: Date;
}

/** A byte range of an artifact; `offset` defaults to 0, `length` to the rest of the content. */
export interface ByteRange {
  offset?: number;
  length?: number;
}

const KIND_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/;
// Printable ASCII only: the content type is sent back as an HTTP header.
const CONTENT_TYPE_PATTERN = /^[\x21-\x7e][\x20-\x7e]{0,254}$/;

/** Artifact ids are UUIDs, like job ids; anything else names no artifact. */
export function isArtifactId(value: string): boolean {
  return isJobId(value);
}

export function checkArtifactKind(kind: string): void {
  if (!KIND_PATTERN.test(kind)) {
    throw new ReelqueueError(
      'VALIDATION_FAILED',
      `Artifact kind ${JSON.stringify(kind)} must match [a-z][a-z0-9_.-]{0,63}`,
      {
        field: 'kind',
      },
    );
  }
}

export function checkContentType(contentType: string): void {
  if (!CONTENT_TYPE_PATTERN.test(contentType)) {
    throw new ReelqueueError(
      'VALIDATION_FAILED',
      `Content type ${JSON.stringify(contentType)} must be 1–255 printable ASCII characters`,
      { field: 'contentType' },
    );
  }
}
