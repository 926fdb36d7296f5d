/**
 * The `webhook` job kind: POSTs a finished job (the wire shape of `GET /api/presentations/jobs/{id}`,
 * with the event's `type` and `timestamp` beside its fields, so they are signed too) to its
 * `webhook_url`, signed the Standard Webhooks way with the owner's secrets (signature.ts), and
 * records the attempt. A failed attempt
 * (non-2xx, network error, no answer in 10 s) throws, so the worker retries it with backoff.
 *
 * Only the database queues these jobs (migration 0005): `parsePayload` refuses every enqueue.
 */
import { jobWithFamilyToWire } from '../api/schemas/job-family-wire.js';
import { ReelqueueError } from '../errors.js';
import type { JobKind } from '../jobs/kinds.js';
import { FINISHED_STATUSES, isJobId, type FinishedStatus, type JsonObject } from '../jobs/model.js';
import { ownedBy, type JobStore } from '../jobs/store.js';
import type { UserStore } from '../users/store.js';
import {
  LEGACY_DELIVERY_HEADER,
  LEGACY_EVENT_HEADER,
  LEGACY_SIGNATURE_HEADER,
  signLegacyBody,
} from './legacy-signature.js';
import { WEBHOOK_KIND, type WebhookPayload } from './model.js';
import { postWebhook } from './post-webhook.js';
import { signingSecrets } from './secret-rotation.js';
import { standardWebhookHeaders } from './signature.js';
import type { WebhookStore } from './store.js';
import { checkWebhookUrl } from './webhook-url.js';

export const WEBHOOK_TIMEOUT_MS = 10_000;

export interface WebhookKindOptions {
  jobs: Pick<JobStore, 'get' | 'dependencies'>;
  users: Pick<UserStore, 'getUser'>;
  webhooks: Pick<WebhookStore, 'recordDelivery'>;
  /** How long one attempt waits for the receiver (default 10 s). */
  timeoutMs?: number;
  /** Deliver to private and local addresses too (WEBHOOK_ALLOW_PRIVATE). */
  allowPrivateAddresses: boolean;
}

function invalidPayload(message: string): ReelqueueError {
  return new ReelqueueError('INVALID_PAYLOAD', message, { kind: WEBHOOK_KIND });
}

/** Reads the payload the trigger wrote; anything else fails the job at once (INVALID_PAYLOAD). */
export function parseWebhookPayload(payload: JsonObject): WebhookPayload {
  const { job_id: jobId, url, status } = payload;
  if (typeof jobId !== 'string' || !isJobId(jobId)) throw invalidPayload('The webhook payload has no job_id');
  if (typeof status !== 'string' || !(FINISHED_STATUSES as readonly string[]).includes(status)) {
    throw invalidPayload('The webhook payload has no terminal status');
  }
  return { jobId, url: checkWebhookUrl(url), status: status as FinishedStatus };
}

export function webhookKind(options: WebhookKindOptions): JobKind {
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  return {
    name: WEBHOOK_KIND,
    parsePayload() {
      throw invalidPayload(
        'Webhook jobs are queued by the database when a job with a webhook_url finishes; they cannot be enqueued',
      );
    },
    async run({ job, payload, signal }): Promise<JsonObject> {
      const target = parseWebhookPayload(payload);
      // The delivery belongs to the job's owner: the job is read in the owner's scope.
      const owner = job.userId === null ? null : await options.users.getUser(job.userId);
      const subject = owner === null ? null : await options.jobs.get(target.jobId, ownedBy(owner.id));
      if (owner === null || subject === null) {
        // Nothing can be signed or sent (the job or its owner is gone): retrying would not help.
        const reason = owner === null ? 'the job has no owner to sign with' : 'the job no longer exists';
        return { delivered: false, reason };
      }
      const event = `job.${target.status}`;
      // The webhook job is queued in the transaction that ended the job: its creation is the event's time.
      const body = JSON.stringify({
        type: event,
        timestamp: job.createdAt.toISOString(),
        ...(await jobWithFamilyToWire(options.jobs, subject, ownedBy(owner.id))),
      });
      const now = new Date();
      const attempt = await postWebhook({
        url: target.url,
        body,
        headers: {
          ...standardWebhookHeaders(signingSecrets(owner, now), job.id, body, now),
          // Deprecated, sent for one more release (docs/webhooks.md).
          [LEGACY_SIGNATURE_HEADER]: signLegacyBody(owner.webhookSecret, body),
          [LEGACY_EVENT_HEADER]: event,
          [LEGACY_DELIVERY_HEADER]: job.id,
        },
        timeoutMs,
        signal,
        allowPrivateAddresses: options.allowPrivateAddresses,
      });
      await options.webhooks.recordDelivery({
        webhookJobId: job.id,
        jobId: subject.id,
        attempt: job.attempt,
        url: target.url,
        event,
        statusCode: attempt.statusCode,
        error: attempt.error,
        durationMs: attempt.durationMs,
      });
      // The receiver's address is refused by policy: another attempt would be refused too.
      if (attempt.refused) return { delivered: false, reason: attempt.error };
      if (attempt.error !== null) {
        throw new ReelqueueError('WEBHOOK_FAILED', `Delivering ${event} failed: ${attempt.error}`, {
          jobId: subject.id,
          statusCode: attempt.statusCode,
          attempt: job.attempt,
        });
      }
      return {
        delivered: true,
        status_code: attempt.statusCode,
        attempt: job.attempt,
        duration_ms: attempt.durationMs,
      };
    },
  };
}
