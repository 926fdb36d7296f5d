/**
 * Cleaning of user text before it is stored, drawn or spoken: well-formed Unicode (NFC), no control
 * characters (XML 1.0 forbids most of them), tidy whitespace. Nothing else is changed: quotes,
 * backslashes, `$(…)`, `%`, emoji and right-to-left text stay exactly as written.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// C0 controls except \t and \n, DEL, C1 controls, and the two non-characters XML forbids.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\uFFFE\uFFFF]/g;

function clean(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(LONE_SURROGATE, '\uFFFD').replace(CONTROL, '').normalize('NFC');
}

/** One line of text: every run of whitespace becomes one space. */
export function cleanLine(text: string): string {
  return clean(text).replace(/\s+/g, ' ').trim();
}

/** Text with paragraphs: lines inside a paragraph are joined, paragraphs are separated by one blank line. */
export function cleanParagraphs(text: string): string {
  return splitParagraphs(clean(text)).join('\n\n');
}

/** Paragraphs of a text (separated by blank lines), each on one line. */
export function splitParagraphs(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((paragraph) => paragraph.replace(/\s+/g, ' ').trim())
    .filter((paragraph) => paragraph !== '');
}
