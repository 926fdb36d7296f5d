/**
 * Reads a lesson written in Markdown: the first `#` heading is the lesson's title, each `##` heading
 * starts a slide, list items (`-`, `*`, `+`, `1.`) are its bullets and other paragraphs its narration.
 * A slide without narration speaks its bullets. Text before the first slide becomes an opening slide;
 * Markdown without any `##` is split like a plain script. Inline markup is limited to removing bold
 * markers and link targets; everything else is kept literally.
 */
import { scriptToSlides, type RawSlide } from './script.js';

export interface RawLesson {
  title: string;
  slides: RawSlide[];
}

interface Section {
  title: string | undefined;
  bullets: string[];
  paragraphs: string[];
}

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+(.*)$/;
const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
const FENCE = /^\s{0,3}(```|~~~)/;

function inline(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, '$2')
    .trim();
}

function spokenBullets(bullets: readonly string[]): string {
  return bullets.map((bullet) => (/[.!?…:;]$/.test(bullet) ? bullet : `${bullet}.`)).join(' ');
}

function readSections(markdown: string): { title: string | undefined; sections: Section[] } {
  let title: string | undefined;
  const sections: Section[] = [{ title: undefined, bullets: [], paragraphs: [] }];
  let paragraph: string[] = [];
  let inBullet = false;
  const current = (): Section => sections[sections.length - 1] as Section;
  const flush = (): void => {
    if (paragraph.length > 0) current().paragraphs.push(inline(paragraph.join(' ')));
    paragraph = [];
  };

  for (const line of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    const heading = HEADING.exec(line);
    const bullet = BULLET.exec(line);
    if (line.trim() === '' || FENCE.test(line) || RULE.test(line)) {
      flush();
      inBullet = false;
    } else if (heading) {
      flush();
      inBullet = false;
      const level = (heading[1] as string).length;
      const text = inline(heading[2] as string);
      if (level === 1 && title === undefined && sections.length === 1) title = text;
      else if (level <= 2) sections.push({ title: text, bullets: [], paragraphs: [] });
      else current().paragraphs.push(text);
    } else if (bullet) {
      flush();
      current().bullets.push(inline(bullet[1] as string));
      inBullet = true;
    } else if (inBullet && /^\s+\S/.test(line)) {
      const bullets = current().bullets;
      bullets[bullets.length - 1] = `${bullets[bullets.length - 1] ?? ''} ${inline(line)}`;
    } else {
      inBullet = false;
      paragraph.push(line.replace(/^\s{0,3}>\s?/, '').trim());
    }
  }
  flush();
  return { title, sections };
}

function sectionSlide(section: Section, title: string): RawSlide {
  const narration =
    section.paragraphs.length > 0 ? section.paragraphs.join('\n\n') : spokenBullets(section.bullets);
  return { title, bullets: section.bullets, narration };
}

export function parseMarkdownLesson(markdown: string, titleOverride?: string): RawLesson {
  const { title: heading, sections } = readSections(markdown);
  const title = titleOverride ?? heading ?? 'Lesson';
  const [preamble, ...slides] = sections as [Section, ...Section[]];
  const hasPreamble = preamble.paragraphs.length > 0 || preamble.bullets.length > 0;
  if (slides.length === 0) {
    const bullets = preamble.bullets.length > 0 ? [spokenBullets(preamble.bullets)] : [];
    const script = [...preamble.paragraphs, ...bullets].join('\n\n');
    return { title, slides: scriptToSlides(script, title) };
  }
  return {
    title,
    slides: [
      ...(hasPreamble ? [sectionSlide(preamble, title)] : []),
      ...slides.map((section) => sectionSlide(section, section.title ?? title)),
    ],
  };
}
