/**
 * A new job: paste a script or drop a Markdown/JSON lesson, pick style, voice, resolution and
 * priority, switch on bullets revealed as they are spoken (default style), submit, and land on the
 * job's page to watch it render.
 */
import { JOB_PRIORITIES } from '../../../jobs/model.js';
import { DEFAULT_RESOLUTION, DEFAULT_STYLE, RENDER_STYLES } from '../../../render/lesson/model.js';
import { DEFAULT_VOICE, SUPPORTED_VOICES } from '../../../render/tts/voices.js';
import type { GenerateRequest, JobWire } from '../api/types.js';
import { h } from '../dom.js';
import { links } from '../router.js';
import { detectFormat, lessonPart, LESSON_FORMATS, type LessonFormat } from './lesson-input.js';
import type { View } from './view.js';
import { field, pageHeading, runAction, select } from './widgets.js';

const DEFAULT = `${DEFAULT_RESOLUTION.width}x${DEFAULT_RESOLUTION.height}`;
const RESOLUTIONS: [string, string][] = [
  ['1920x1080', '1920 × 1080 (Full HD)'],
  [DEFAULT, `${DEFAULT_RESOLUTION.width} × ${DEFAULT_RESOLUTION.height} (default)`],
  ['854x480', '854 × 480'],
  ['640x360', '640 × 360'],
  ['320x180', '320 × 180 (fast preview)'],
];
const FORMAT_LABELS: Record<LessonFormat, string> = {
  auto: 'Detect from the text',
  script: 'Plain script',
  markdown: 'Markdown lesson',
  json: 'JSON lesson',
};

export const newJobView: View = async (ctx) => {
  const content = h('textarea', {
    id: 'lesson-content',
    name: 'content',
    rows: '12',
    spellcheck: 'true',
    placeholder: '# My lesson\n\n## First slide\n\n- A bullet\n\nWhat the narrator says…',
  });
  const format = select(
    'format',
    LESSON_FORMATS.map((f): [string, string] => [f, FORMAT_LABELS[f]]),
    'auto',
  );
  const title = h('input', { name: 'title', type: 'text', maxlength: '200', autocomplete: 'off' });
  const file = h('input', {
    type: 'file',
    name: 'file',
    accept: '.md,.markdown,.json,.txt,text/*,application/json',
  });
  const loaded = h('p', { class: 'hint', 'aria-live': 'polite' });

  const readFile = async (chosen: File | undefined) => {
    if (!chosen) return;
    const text = await chosen.text();
    content.value = text;
    format.value = detectFormat(text, chosen.name);
    loaded.textContent = `Loaded ${chosen.name} (${FORMAT_LABELS[format.value as LessonFormat]}).`;
  };
  file.addEventListener('change', () => void readFile(file.files?.[0]));

  const drop = h(
    'div',
    { class: 'drop-zone' },
    h('p', null, 'Drop a Markdown (.md), JSON (.json) or text file here, or'),
    field('Choose a lesson file', file),
    loaded,
  );
  for (const target of [drop, content]) {
    target.addEventListener('dragover', (event) => {
      event.preventDefault();
      drop.classList.add('dragging');
    });
    target.addEventListener('dragleave', () => drop.classList.remove('dragging'));
    target.addEventListener('drop', (event) => {
      event.preventDefault();
      drop.classList.remove('dragging');
      void readFile((event as DragEvent).dataTransfer?.files[0]);
    });
  }

  const style = select('style', RENDER_STYLES, DEFAULT_STYLE);
  const voice = select('voice', SUPPORTED_VOICES, DEFAULT_VOICE);
  const resolution = select('resolution', RESOLUTIONS, DEFAULT);
  const priority = select('priority', JOB_PRIORITIES, 'normal');
  const revealHint = h('span', { class: 'hint', id: 'reveal-bullets-hint' });
  const revealBullets = h('input', {
    type: 'checkbox',
    role: 'switch',
    name: 'reveal_bullets',
    'aria-describedby': revealHint.id,
  });
  // The render reveals bullets only on designed slides (the default style): say so, and switch off.
  const syncReveal = () => {
    const applies = style.value === DEFAULT_STYLE;
    revealBullets.disabled = !applies;
    if (!applies) revealBullets.checked = false;
    revealHint.textContent = applies
      ? 'Each bullet appears when the narration reaches it, instead of all at once.'
      : `Only with the ${DEFAULT_STYLE} style.`;
  };
  style.addEventListener('change', syncReveal);
  syncReveal();

  const form = h(
    'form',
    { class: 'new-job', novalidate: true },
    h(
      'fieldset',
      null,
      h('legend', null, 'Lesson'),
      drop,
      field('Script or lesson', content, 'A plain script, a Markdown lesson (# title, ## slides), or JSON.'),
      h('div', { class: 'row' }, field('Format', format), field('Title (optional)', title)),
    ),
    h(
      'fieldset',
      null,
      h('legend', null, 'Rendering'),
      h(
        'div',
        { class: 'row' },
        field('Style', style),
        field('Voice', voice),
        field('Resolution', resolution),
        field('Priority', priority),
      ),
      h(
        'div',
        { class: 'switch-field' },
        h(
          'label',
          null,
          revealBullets,
          h('span', { class: 'field-label' }, 'Reveal bullets as they are spoken'),
        ),
        revealHint,
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'button primary' }, 'Queue the video'),
    ),
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void runAction(form, async () => {
      const body: GenerateRequest = {
        ...lessonPart(content.value, format.value as LessonFormat, title.value),
        style: style.value,
        voice: voice.value,
        resolution: resolution.value,
        priority: priority.value as GenerateRequest['priority'],
        ...(revealBullets.checked && { reveal_bullets: true }),
      };
      const job = await ctx.client.post<JobWire>('/api/presentations/generate', body);
      ctx.announce('The job is queued.');
      ctx.navigate(links.job(job.id));
    });
  });

  return h('section', { class: 'new-job-view' }, pageHeading('New job'), form);
};
