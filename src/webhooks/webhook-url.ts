/**
 * `webhook_url` on a job's payload: checked when the job is created (http or https, absolute, no
 * credentials) and kept through the kind's own payload parsing, which drops fields it does not know.
 */
import { ReelqueueError } from '../errors.js';
import { isJsonObject, type JobKind } from '../jobs/kinds.js';

export const WEBHOOK_URL_FIELD = 'webhook_url';
const MAX_URL_LENGTH = 2000;

function invalidUrl(message: string): ReelqueueError {
  return new ReelqueueError('INVALID_PAYLOAD', message, { field: WEBHOOK_URL_FIELD });
}

/** Returns the URL when it is an absolute http(s) URL without credentials; throws INVALID_PAYLOAD. */
export function checkWebhookUrl(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_URL_LENGTH) {
    throw invalidUrl(`webhook_url must be an http or https URL of at most ${MAX_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidUrl('webhook_url is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidUrl(`webhook_url must use http or https, not ${url.protocol.replace(/:$/, '')}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw invalidUrl('webhook_url must not carry credentials; verify deliveries by their signature');
  }
  return value;
}

/** The same kind, whose payload may also carry a checked `webhook_url`. */
export function withWebhookUrl(kind: JobKind): JobKind {
  return {
    name: kind.name,
    run: (context) => kind.run(context),
    parsePayload(input) {
      if (!isJsonObject(input) || input[WEBHOOK_URL_FIELD] == null) return kind.parsePayload(input);
      const { [WEBHOOK_URL_FIELD]: url, ...rest } = input;
      const webhookUrl = checkWebhookUrl(url);
      return { ...kind.parsePayload(rest), [WEBHOOK_URL_FIELD]: webhookUrl };
    },
  };
}
