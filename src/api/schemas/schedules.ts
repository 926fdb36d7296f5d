/** Request and response schemas of the schedule routes (`/api/schedules`, admin only). */
import { Type, type Static } from '@sinclair/typebox';
import { JOB_PRIORITIES } from '../../jobs/model.js';
import { CATCH_UP_POLICIES, MAX_CATCH_UP_LIMIT, SCHEDULE_NAME_PATTERN } from '../../schedules/model.js';
import { Nullable, StringEnum } from './json-types.js';

const Name = Type.String({ pattern: SCHEDULE_NAME_PATTERN, minLength: 1, maxLength: 100 });
const Cron = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'Five fields (minute hour day-of-month month day-of-week) or six with seconds first',
});
const TimeZone = Type.String({
  minLength: 1,
  maxLength: 100,
  description: 'IANA time zone, e.g. Europe/Paris',
});
const Payload = Type.Object({}, { additionalProperties: true, description: 'The payload of every job' });
const Priority = StringEnum(JOB_PRIORITIES);
const CatchUp = StringEnum(CATCH_UP_POLICIES);
const CatchUpLimit = Type.Integer({ minimum: 1, maximum: MAX_CATCH_UP_LIMIT });

export const ScheduleSchema = Type.Object({
  name: Type.String(),
  cron: Type.String(),
  time_zone: Type.String(),
  kind: Type.String(),
  payload: Payload,
  priority: Priority,
  enabled: Type.Boolean(),
  catch_up: CatchUp,
  catch_up_limit: Type.Integer(),
  next_run_at: Nullable(Type.String({ format: 'date-time' })),
  last_run_at: Nullable(Type.String({ format: 'date-time' })),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

export const DeletedScheduleSchema = Type.Object({ name: Type.String(), deleted: Type.Literal(true) });

export const ScheduleListSchema = Type.Object({
  schedules: Type.Array(ScheduleSchema),
  count: Type.Integer(),
});

const changeable = {
  cron: Cron,
  time_zone: TimeZone,
  kind: Type.String({ minLength: 1, maxLength: 64 }),
  payload: Payload,
  priority: Priority,
  enabled: Type.Boolean(),
  catch_up: CatchUp,
  catch_up_limit: CatchUpLimit,
};

export const CreateScheduleBody = Type.Object(
  {
    name: Name,
    cron: changeable.cron,
    kind: changeable.kind,
    time_zone: Type.Optional(changeable.time_zone),
    payload: Type.Optional(changeable.payload),
    priority: Type.Optional(changeable.priority),
    enabled: Type.Optional(changeable.enabled),
    catch_up: Type.Optional(changeable.catch_up),
    catch_up_limit: Type.Optional(changeable.catch_up_limit),
  },
  { additionalProperties: false },
);
export type CreateScheduleBody = Static<typeof CreateScheduleBody>;

export const UpdateScheduleBody = Type.Object(
  {
    cron: Type.Optional(changeable.cron),
    kind: Type.Optional(changeable.kind),
    time_zone: Type.Optional(changeable.time_zone),
    payload: Type.Optional(changeable.payload),
    priority: Type.Optional(changeable.priority),
    enabled: Type.Optional(changeable.enabled),
    catch_up: Type.Optional(changeable.catch_up),
    catch_up_limit: Type.Optional(changeable.catch_up_limit),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateScheduleBody = Static<typeof UpdateScheduleBody>;

export const ScheduleNameParams = Type.Object({ name: Name }, { additionalProperties: false });
export type ScheduleNameParams = Static<typeof ScheduleNameParams>;
