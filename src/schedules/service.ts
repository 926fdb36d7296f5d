/**
 * Managing schedules (the API and the CLI): each change is validated against the job kinds this
 * process knows, written, and wakes this process's schedulers so a sooner tick is not slept past.
 */
import type { KindRegistry } from '../jobs/kinds.js';
import { scheduleNotFound } from './errors.js';
import type { NewSchedule, Schedule, ScheduleChanges } from './model.js';
import { resolveNewSchedule, resolveScheduleChanges } from './new-schedule.js';
import type { ScheduleStore } from './store.js';

export class Schedules {
  readonly #store: ScheduleStore;
  readonly #kinds: KindRegistry;
  readonly #clock: () => Date;
  readonly #changed: () => void;

  constructor(
    store: ScheduleStore,
    kinds: KindRegistry,
    options: { clock?: () => Date; changed?: () => void } = {},
  ) {
    this.#store = store;
    this.#kinds = kinds;
    this.#clock = options.clock ?? (() => new Date());
    this.#changed = options.changed ?? (() => undefined);
  }

  list(): Promise<Schedule[]> {
    return this.#store.list();
  }

  /** SCHEDULE_NOT_FOUND when there is none. */
  async get(name: string): Promise<Schedule> {
    const schedule = await this.#store.get(name);
    if (!schedule) throw scheduleNotFound(name);
    return schedule;
  }

  async create(input: NewSchedule): Promise<Schedule> {
    const schedule = await this.#store.create(resolveNewSchedule(input, this.#kinds, this.#clock()));
    this.#changed();
    return schedule;
  }

  async update(name: string, changes: ScheduleChanges): Promise<Schedule> {
    const current = await this.get(name);
    const { definition, timingChanged } = resolveScheduleChanges(
      current,
      changes,
      this.#kinds,
      this.#clock(),
    );
    const schedule = await this.#store.update(definition, timingChanged);
    this.#changed();
    return schedule;
  }

  async remove(name: string): Promise<void> {
    await this.#store.remove(name);
    this.#changed();
  }
}
