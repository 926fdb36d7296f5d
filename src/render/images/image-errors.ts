/** The errors of slide images, worded once: each a stable code with the `field` at fault. */
import { ReelqueueError, type ErrorCode } from '../../errors.js';

export type ImageErrorCode = Extract<
  ErrorCode,
  'IMAGE_TOO_LARGE' | 'IMAGE_FORMAT_UNSUPPORTED' | 'IMAGE_SOURCE_REFUSED' | 'IMAGE_INVALID' | 'SVG_UNSAFE'
>;

export function imageError(
  code: ImageErrorCode,
  message: string,
  details: Record<string, unknown> = {},
  options?: ErrorOptions,
): ReelqueueError {
  return new ReelqueueError(code, message, details, options);
}
