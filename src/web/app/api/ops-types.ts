/** The wire types of the over-time, key and schedule routes, from the server's own schemas. */
import type { Static } from '@sinclair/typebox';
import type { AdminKeyListSchema, ApiKeySchema, OwnKeyListSchema } from '../../../api/schemas/admin.js';
import type { ScheduleListSchema, ScheduleSchema } from '../../../api/schemas/schedules.js';
import type { TimeSeriesSchema } from '../../../api/schemas/time-series.js';

export type TimeSeries = Static<typeof TimeSeriesSchema>;
export type TimeSeriesBucket = TimeSeries['buckets'][number];
export type ApiKeyWire = Static<typeof ApiKeySchema>;
export type AdminKeyList = Static<typeof AdminKeyListSchema>;
export type OwnKeyList = Static<typeof OwnKeyListSchema>;
export type ScheduleWire = Static<typeof ScheduleSchema>;
export type ScheduleList = Static<typeof ScheduleListSchema>;
