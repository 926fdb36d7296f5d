/**
 * One job: live status and progress from its event stream, the stage timeline, each attempt with its
 * worker and error, timings, the payload and result as JSON, the error, the video and thumbnail of a
 * render once it is done, a pending job's priority, and cancel / retry (past the retry limit, after an
 * in-page choice), and its workflow (job-workflow.ts).
 */
import { isFinished, JOB_PRIORITIES } from '../../../jobs/model.js';
import { splitStatusLine } from '../../../render/split/split-status-line.js';
import { ApiError } from '../api/client.js';
import { followJobEvents } from '../api/event-stream.js';
import type { JobEventWire, JobWire, JobWithPayload } from '../api/types.js';
import { h, replaceChildren, type Child } from '../dom.js';
import { dateTime, duration, shortId } from '../format.js';
import { links } from '../router.js';
import { attemptsSummary } from '../attempts-summary.js';
import { Attempts } from './job-attempts.js';
import { loadMedia, mediaPlaceholder } from './job-media.js';
import { Timeline } from './job-timeline.js';
import { workflowCard } from './job-workflow.js';
import { jsonView } from './json-view.js';
import { notFoundPanel } from './problems.js';
import { retryAnywayPanel } from './retry-anyway.js';
import type { View, ViewContext } from './view.js';
import {
  actionButton,
  card,
  facts,
  field,
  pageHeading,
  progressBar,
  runAction,
  select,
  statusBadge,
  updateProgressBar,
  updateStatusBadge,
} from './widgets.js';

const jobsAhead = (count: number) =>
  count === 0 ? 'none: it is next' : `${count} job${count === 1 ? '' : 's'}`;

/** Only a render (`presentation`) makes a video; other kinds get no video panel. */
const makesVideo = (job: JobWire) => job.kind === 'presentation';

/** A split render's segments as the single-job resource says them; null for any other job. */
type SplitRender = JobWithPayload['split_render'];

function detailsOf(job: JobWire, split: SplitRender, admin: boolean): HTMLElement {
  const pairs: [string, Child][] = [
    ['Job id', h('code', { class: 'mono wrap' }, job.id)],
    ['Kind', job.kind],
    ['Priority', job.priority],
    ['Style', makesVideo(job) ? job.style : null],
    ['Attempt', attemptsSummary(job)],
    ['Worker', job.worker_id ? h('code', { class: 'mono wrap' }, job.worker_id) : '—'],
    ['Last heartbeat', job.last_heartbeat ? dateTime(job.last_heartbeat) : null],
    ['Ahead in the queue', job.queue_position === null ? null : jobsAhead(job.queue_position)],
    ['Created', dateTime(job.created_at)],
    ['Started', dateTime(job.started_at)],
    ['Finished', dateTime(job.completed_at)],
    ['Processing time', duration(job.processing_time_seconds)],
    ['Timeout', duration(job.timeout_seconds)],
    ['Slides', job.slide_count],
    ['Split', split === null ? null : splitStatusLine(split)],
    ['Video length', job.duration_sec === null ? null : duration(job.duration_sec)],
    ['Cancel reason', job.cancel_reason],
  ];
  if (admin) pairs.push(['Owner', h('code', { class: 'mono wrap' }, job.user_id ?? '—')]);
  return facts(pairs);
}

function payloadOf(payload: unknown): HTMLElement {
  return h(
    'div',
    { class: 'job-data' },
    h('h3', null, 'Payload'),
    payload === undefined ? h('p', { class: 'muted' }, 'Not loaded.') : jsonView(payload, 'Payload'),
  );
}

function resultOf(job: JobWire): HTMLElement {
  return h(
    'div',
    { class: 'job-data' },
    h('h3', null, 'Result'),
    job.result_data === null || job.result_data === undefined
      ? h('p', { class: 'muted' }, isFinished(job.status) ? 'No result.' : 'No result yet.')
      : jsonView(job.result_data, 'Result'),
  );
}

const ERROR_TITLES: Partial<Record<JobWire['status'], string>> = {
  cancelled: 'Cancelled',
  timeout: 'Timed out',
};

function errorOf(job: JobWire): HTMLElement | null {
  if (!job.error_code && !job.error_message) return null;
  return h(
    'section',
    { class: 'card error-card', 'aria-labelledby': 'job-error-title' },
    h('h2', { id: 'job-error-title' }, ERROR_TITLES[job.status] ?? 'Error'),
    facts([
      ['Code', h('code', null, job.error_code ?? '—')],
      ['Message', job.error_message ?? '—'],
    ]),
    job.error_details !== null && job.error_details !== undefined
      ? h(
          'details',
          null,
          h('summary', null, 'Details'),
          h('pre', { class: 'error-details' }, JSON.stringify(job.error_details, null, 2)),
        )
      : null,
  );
}

class JobPage {
  private job: JobWire;
  /** From the single-job reads (answers of cancel and retry leave it out, and keep it). */
  private split: SplitRender;
  /** When the split count was last read while the job waited (Date.now()). */
  private splitReadAt = 0;
  private readonly timeline = new Timeline();
  private readonly attempts = new Attempts();
  /** The job's payload, from the first read (answers of cancel and retry leave it out). */
  private readonly payload: HTMLElement;
  private readonly result = h('div');
  private readonly badge: HTMLElement;
  private readonly progress: HTMLElement;
  private readonly stage = h('p', { class: 'stage-line' });
  private readonly connection = h('p', { class: 'inline-error', role: 'alert', hidden: true });
  private readonly actions = h('div', { class: 'actions' });
  private readonly details = h('div');
  private readonly error = h('div');
  private readonly media = h('div', { class: 'media-slot' });
  /** The workflow card: the jobs it waits for and those that wait for it (null: none). */
  private readonly family: HTMLElement | null;
  private mediaLoaded = false;
  private shownStatus: JobWire['status'] | null = null;
  private following = false;
  /** The last event shown; null before the first (the stream then replays the whole log). */
  private lastEventId: number | null = null;
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly ctx: ViewContext,
    job: JobWithPayload,
  ) {
    this.job = job;
    this.split = job.split_render;
    this.payload = payloadOf(job.payload);
    this.badge = statusBadge(job.status);
    this.progress = progressBar(job.progress, 'Job progress');
    this.family = workflowCard(ctx.client, job, ctx.signal);
  }

  render(): HTMLElement {
    this.show(this.job);
    this.follow();
    return h(
      'section',
      { class: 'job-view' },
      h('p', { class: 'breadcrumb' }, h('a', { href: links.jobs() }, '← All jobs')),
      pageHeading(['Job ', h('span', { class: 'mono' }, shortId(this.job.id))], this.badge),
      this.actions,
      h('div', { class: 'progress-block' }, this.progress, this.stage),
      this.connection,
      makesVideo(this.job)
        ? h('div', { class: 'job-grid' }, card('Video', this.media), card('Details', this.details))
        : card('Details', this.details),
      this.error,
      this.family,
      h(
        'div',
        { class: 'job-grid job-grid-even' },
        card('Attempts', this.attempts.element),
        card('Payload and result', this.payload, this.result),
      ),
      card('Timeline', this.timeline.element),
    );
  }

  /** Redraws what changed; buttons and the error are rebuilt only when the status changes. */
  private show(job: JobWire | JobWithPayload): void {
    if ('split_render' in job) this.split = job.split_render;
    const statusChanged = job.status !== this.shownStatus;
    this.shownStatus = job.status;
    this.job = job;
    updateStatusBadge(this.badge, job.status);
    updateProgressBar(this.progress, job.progress);
    this.stage.textContent = [job.stage, job.message].filter(Boolean).join(' · ') || ' ';
    replaceChildren(this.details, detailsOf(job, this.split, this.ctx.me.role === 'admin'));
    if (statusChanged) {
      replaceChildren(this.error, errorOf(job));
      replaceChildren(this.actions, this.buttons(job));
      replaceChildren(this.result, resultOf(job));
    }
    if (!makesVideo(job)) return;
    if (job.status === 'completed') void this.showMedia(job);
    else if (!this.mediaLoaded) replaceChildren(this.media, mediaPlaceholder(job));
  }

  private buttons(job: JobWire): Child[] {
    const buttons: Child[] = [];
    if (job.status === 'pending' || job.status === 'running' || job.status === 'waiting') {
      buttons.push(
        actionButton(
          'Cancel job',
          async () => {
            const after = await this.ctx.client.post<JobWire>(`/api/presentations/jobs/${job.id}/cancel`, {});
            this.ctx.announce(after.status === 'cancelled' ? 'The job is cancelled.' : 'Stopping the job…');
            this.show({ ...this.job, ...after, queue_position: null });
          },
          'danger',
        ),
      );
    }
    if (job.status === 'failed' || job.status === 'cancelled' || job.status === 'timeout') {
      buttons.push(actionButton('Retry job', () => this.retry(job, false), 'primary'));
    }
    if (job.status === 'pending') buttons.push(this.priorityForm(job));
    return buttons;
  }

  /** A pending job's priority: changing it moves the job in the queue (409 once a worker took it). */
  private priorityForm(job: JobWire): HTMLElement {
    const choice = select('priority', JOB_PRIORITIES, job.priority, { id: 'job-priority' });
    const form = h(
      'form',
      { class: 'priority-form' },
      field('Priority', choice),
      h('button', { type: 'submit', class: 'button plain' }, 'Change priority'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void runAction(form, async () => {
        const after = await this.ctx.client.patch<JobWire>(`/api/presentations/jobs/${job.id}`, {
          priority: choice.value,
        });
        const ahead = after.queue_position === null ? '' : `; jobs ahead: ${jobsAhead(after.queue_position)}`;
        this.ctx.announce(`The priority is now ${after.priority}${ahead}.`);
        this.show(after);
      });
    });
    return form;
  }

  /**
   * Retries; when the job has used all its retries, the actions give way to a panel that says so and
   * offers to retry anyway (`force`) or to leave the job as it is.
   */
  private async retry(job: JobWire, force: boolean): Promise<void> {
    let after: JobWire;
    try {
      after = await this.ctx.client.post<JobWire>(
        `/api/presentations/jobs/${job.id}/retry`,
        force ? { force_retry: true } : {},
      );
    } catch (error) {
      if (force || !(error instanceof ApiError) || error.code !== 'RETRY_LIMIT_REACHED') throw error;
      replaceChildren(
        this.actions,
        retryAnywayPanel(job, {
          retry: () => this.retry(job, true),
          keep: () => replaceChildren(this.actions, this.buttons(this.job)),
        }),
      );
      this.actions.querySelector<HTMLButtonElement>('.retry-anyway button')?.focus();
      return;
    }
    this.ctx.announce('The job is queued again.');
    this.mediaLoaded = false;
    this.show(after);
    this.follow();
  }

  private async showMedia(job: JobWire): Promise<void> {
    if (this.mediaLoaded) return;
    this.mediaLoaded = true;
    replaceChildren(this.media, h('p', { class: 'media-placeholder' }, 'Loading the video…'));
    try {
      replaceChildren(this.media, await loadMedia(this.ctx.client, job, this.ctx.signal));
    } catch (error) {
      if (this.ctx.signal.aborted) return;
      this.mediaLoaded = false;
      const message = error instanceof Error ? error.message : String(error);
      replaceChildren(
        this.media,
        h('p', { class: 'inline-error', role: 'alert' }, `The video could not be loaded: ${message}`),
      );
    }
  }

  private onEvent(event: JobEventWire): void {
    this.timeline.add(event);
    this.attempts.add(event);
    this.lastEventId = event.id;
    const live = { progress: event.progress, stage: event.stage, message: event.message ?? this.job.message };
    if (event.type === 'progress') {
      this.show({ ...this.job, ...live });
      // A split render's segments finish while it waits: its count of done ones comes with a
      // reload (after the one in flight, which may have read before), at most one every two seconds.
      if (this.split !== null && event.status === 'waiting' && Date.now() - this.splitReadAt > 2000) {
        this.splitReadAt = Date.now();
        void (this.refreshing ?? Promise.resolve()).then(() => this.refresh());
      }
    } else {
      // The status is known at once; the rest (worker, timings, error) comes with the reload.
      this.job = { ...this.job, ...live, status: event.status };
      void this.refresh();
    }
  }

  /** Reloads the job (attempts, worker, timings and error change with every non-progress event). */
  private refresh(): Promise<void> {
    this.refreshing ??= this.ctx.client
      .get<JobWithPayload>(`/api/presentations/jobs/${this.job.id}`, this.ctx.signal)
      .then((job) => this.show(job))
      .catch(() => {})
      .finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private follow(): void {
    if (this.following) return;
    this.following = true;
    followJobEvents({
      client: this.ctx.client,
      jobId: this.job.id,
      after: this.lastEventId,
      onEvent: (event) => this.onEvent(event),
      isFinished: () => isFinished(this.job.status),
      signal: this.ctx.signal,
      onConnectionProblem: (problem) => {
        this.connection.hidden = problem === null;
        this.connection.textContent = problem ? 'Live updates lost the connection; reconnecting…' : '';
      },
    })
      .then(() => this.refresh())
      .catch(() => {})
      .finally(() => (this.following = false));
  }
}

export function jobView(id: string): View {
  return async (ctx) => {
    try {
      const job = await ctx.client.get<JobWithPayload>(
        `/api/presentations/jobs/${encodeURIComponent(id)}?include_payload=true`,
        ctx.signal,
      );
      return new JobPage(ctx, job).render();
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.code === 'VALIDATION_FAILED')) {
        return notFoundPanel('Job not found', `There is no job ${id} that this key can see.`);
      }
      throw error;
    }
  };
}
