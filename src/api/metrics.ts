/**
 * Prometheus metrics: queue figures read from the database at scrape time, job durations from the
 * workers of this process, HTTP latencies from every response.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { JOB_STATUSES } from '../jobs/model.js';
import { ALL_JOBS, type JobStore } from '../jobs/store.js';
import type { JobOutcome, Worker } from '../jobs/worker.js';
import type { JobEventFeeds } from './job-event-feeds.js';

export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly jobDuration: Histogram<'kind' | 'outcome'>;
  readonly jobsFinished: Counter<'kind' | 'outcome'>;

  constructor(store: JobStore) {
    collectDefaultMetrics({ register: this.registry, prefix: 'reelqueue_' });
    const byStatus = new Gauge({
      name: 'reelqueue_jobs',
      help: 'Jobs in the database by status',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        const health = await store.health(ALL_JOBS);
        for (const status of JOB_STATUSES) this.set({ status }, health[status]);
        oldest.set(health.oldestPendingJobAgeMinutes === null ? 0 : health.oldestPendingJobAgeMinutes * 60);
        depth.set(health.pending);
      },
    });
    const depth = new Gauge({
      name: 'reelqueue_queue_depth',
      help: 'Pending jobs',
      registers: [this.registry],
    });
    const oldest = new Gauge({
      name: 'reelqueue_oldest_pending_job_age_seconds',
      help: 'Age of the oldest pending job',
      registers: [this.registry],
    });
    void byStatus;
    this.httpDuration = new Histogram({
      name: 'reelqueue_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [this.registry],
    });
    this.jobDuration = new Histogram({
      name: 'reelqueue_job_duration_seconds',
      help: 'Time from a job starting on this process to its outcome',
      labelNames: ['kind', 'outcome'] as const,
      buckets: [0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers: [this.registry],
    });
    this.jobsFinished = new Counter({
      name: 'reelqueue_jobs_finished_total',
      help: 'Job attempts finished by workers of this process, by outcome',
      labelNames: ['kind', 'outcome'] as const,
      registers: [this.registry],
    });
  }

  /** Event streams open on this server, and the jobs whose logs they read. */
  watchEventFeeds(feeds: JobEventFeeds): void {
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(read());
        },
      });
    gauge(
      'reelqueue_event_streams',
      'Clients following a job as server-sent events on this process',
      () => feeds.counts.followers,
    );
    gauge(
      'reelqueue_event_stream_jobs',
      'Jobs whose event log this process reads for its event streams (one read per job, whatever the number of clients)',
      () => feeds.counts.jobs,
    );
  }

  watch(worker: Worker): void {
    const started = new Map<string, number>();
    worker.on('started', (job) => started.set(job.id, performance.now()));
    worker.on('finished', (job, outcome: JobOutcome) => {
      const at = started.get(job.id);
      started.delete(job.id);
      this.jobsFinished.inc({ kind: job.kind, outcome });
      if (at !== undefined)
        this.jobDuration.observe({ kind: job.kind, outcome }, (performance.now() - at) / 1000);
    });
  }
}
