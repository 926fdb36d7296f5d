/** Recognises a charge refused by the points triggers of migration 0004: `RAISE(ABORT, …)`. */
import { insufficientPoints, type PointsShortfall } from '../../users/points.js';

/** SQLite's extended result code for `RAISE(ABORT, …)` in a trigger; only the points triggers raise. */
const TRIGGER_ABORT = 'SQLITE_CONSTRAINT_TRIGGER';

export function mapPointsError(error: unknown, shortfall: () => PointsShortfall): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  return code === TRIGGER_ABORT ? insufficientPoints(shortfall(), error) : error;
}
