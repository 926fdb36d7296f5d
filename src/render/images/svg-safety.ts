/**
 * An SVG image is accepted only when it can do nothing but draw itself: no scripts, no event handlers,
 * no foreignObject (or other embedded documents), no DOCTYPE declarations (entity expansion), and no reference to
 * anything but a fragment of itself (`href="#id"`, `url(#id)`). The checks read the whole text, so a
 * pattern inside a comment or a text node is refused too: an unsafe-looking SVG is refused, never
 * rewritten.
 */
import { imageError } from './image-errors.js';

export type SvgUnsafeReason =
  'doctype' | 'script' | 'foreign_object' | 'event_handler' | 'external_reference' | 'not_utf8';

const CHECKS: readonly { reason: SvgUnsafeReason; pattern: RegExp; said: string }[] = [
  // A plain DOCTYPE (as editors write it) is harmless: no DTD is ever loaded. Declarations are not.
  {
    reason: 'doctype',
    pattern: /<!\s*ENTITY|<!\s*DOCTYPE[^>[]*\[/i,
    said: 'a DOCTYPE with declarations (entities)',
  },
  { reason: 'script', pattern: /<\s*(?:[\w.-]+:)?(?:script|handler|listener)\b/i, said: 'a script' },
  { reason: 'script', pattern: /javascript\s*:/i, said: 'a javascript: URL' },
  {
    reason: 'foreign_object',
    pattern: /<\s*(?:[\w.-]+:)?(?:foreignObject|iframe|embed|object|audio|video)\b/i,
    said: 'a foreignObject or embedded document',
  },
  { reason: 'event_handler', pattern: /(?:^|[\s"'/;])on[a-z]+\s*=/i, said: 'an event handler (on…=)' },
  { reason: 'external_reference', pattern: /@import\b/i, said: 'a CSS @import' },
];

const REFERENCE_ATTRIBUTE = /(?:[\w.-]+:)?(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
const CSS_URL = /url\s*\(\s*(?:"([^"]*)"|'([^']*)'|([^)]*))\)/gi;

function firstExternal(text: string, pattern: RegExp): string | undefined {
  for (const match of text.matchAll(pattern)) {
    const value = (match[1] ?? match[2] ?? match[3] ?? '').trim();
    if (!value.startsWith('#')) return value.slice(0, 80);
  }
  return undefined;
}

/** Throws SVG_UNSAFE (with `details.reason`) unless `svg` only draws itself. */
export function checkSvgSafe(svg: string, field: string): void {
  for (const { reason, pattern, said } of CHECKS) {
    if (pattern.test(svg)) {
      throw imageError('SVG_UNSAFE', `${field}: the SVG has ${said}, which is not allowed`, {
        field,
        reason,
      });
    }
  }
  const external = firstExternal(svg, REFERENCE_ATTRIBUTE) ?? firstExternal(svg, CSS_URL);
  if (external !== undefined) {
    throw imageError(
      'SVG_UNSAFE',
      `${field}: the SVG refers to ${JSON.stringify(external)}; an SVG may only refer to its own fragments (#id)`,
      { field, reason: 'external_reference' },
    );
  }
}
