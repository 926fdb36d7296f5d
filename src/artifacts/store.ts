/**
 * The artifact store, stated without driver types (DESIGN §6). One implementation,
 * `ChunkedArtifactStore`, runs on either database through that dialect's `ArtifactStorage`.
 *
 * Writing streams: the source is read as it arrives, cut into 1 MiB chunks, and each chunk is stored
 * in its own short transaction; no transaction stays open across an upload. The artifact becomes
 * readable only when the last statement marks it complete, fenced on the job's lease.
 *
 * Replacing: a job writes at most one live artifact per kind. When a new one completes (a retry that
 * rendered again), it supersedes every other artifact of the same job and kind that is complete or
 * was written under an earlier attempt: `find` returns the newest complete one at once, and the
 * superseded ones are deleted right after, a few chunks per transaction.
 */
import type { Readable } from 'node:stream';
import type { Lease } from '../jobs/model.js';
import type { ArtifactInfo, ArtifactKind, ByteRange } from './model.js';
import type { ByteSource } from './rechunk.js';

export interface WriteArtifactOptions {
  /** The lease of the running job the artifact belongs to; completing it is fenced on this lease. */
  lease: Lease;
  /** Optional: when given it must be the lease's job. */
  jobId?: string;
  kind: ArtifactKind;
  contentType: string;
  /** Stops the upload (and deletes what was written) when it fires; the write rejects with its reason. */
  signal?: AbortSignal;
}

export interface WriteArtifact extends WriteArtifactOptions {
  source: ByteSource | Readable;
}

export interface ArtifactStore {
  /**
   * Streams `source` into a new artifact of the lease's job and marks it complete. Throws LEASE_LOST
   * (having deleted what it wrote) when the lease is no longer held, before or during the upload or
   * at the end; when the source fails or the signal fires, deletes what it wrote and rethrows.
   */
  write(request: WriteArtifact): Promise<ArtifactInfo>;
  /**
   * `write` from a file on disk, read with 1 MiB buffers. A file that is missing or cannot be read
   * fails with RENDER_FILE_MISSING or RENDER_FILE_UNREADABLE, naming the file but not its folder.
   */
  writeFile(path: string, options: WriteArtifactOptions): Promise<ArtifactInfo>;

  /** The newest complete artifact of this kind for the job, or null. */
  find(jobId: string, kind: ArtifactKind): Promise<ArtifactInfo | null>;
  /** A complete artifact by id; null when there is none or it is not complete. */
  get(artifactId: string): Promise<ArtifactInfo | null>;
  /**
   * The bytes of a range of a complete artifact, fetching only the chunks the range covers, a few
   * per query. Fails on the first pull with ARTIFACT_NOT_FOUND, ARTIFACT_INCOMPLETE or
   * RANGE_NOT_SATISFIABLE; with ARTIFACT_NOT_FOUND mid-way if the artifact is deleted while read.
   * Memory stays at a few chunks whatever the size.
   */
  read(artifactId: string, range?: ByteRange): AsyncIterable<Buffer>;

  /** Deletes one artifact, complete or not, a few chunks per transaction (nothing when there is none). */
  delete(artifactId: string): Promise<void>;
  /** Deletes every artifact of the job, complete or not, a few chunks per transaction; returns how many. */
  deleteForJob(jobId: string): Promise<number>;
}
