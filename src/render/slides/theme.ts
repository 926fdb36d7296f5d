/** Colours and proportions of both styles, in one place. Sizes are for a 1280×720 frame and scaled. */

export const DEFAULT_THEME = Object.freeze({
  background: '#F8FAFC',
  accent: '#4F46E5',
  title: '#0F172A',
  body: '#334155',
  muted: '#64748B',
  rule: '#E2E8F0',
});

export const SCROLLING_THEME = Object.freeze({
  background: '#0F172A',
  column: '#131E36',
  accent: '#818CF8',
  heading: '#A5B4FC',
  text: '#F8FAFC',
  /** Opacity of the text of slides that are not being spoken. */
  dimmed: 0.38,
});

/** The scale of a frame relative to 1280×720 (or 720×1280 for portrait frames). */
export function frameScale(width: number, height: number): number {
  return Math.min(Math.max(width, height) / 1280, Math.min(width, height) / 720);
}
