/** Recognises a charge refused by the points triggers of migration 0004: SQLSTATE RQ402. */
import { insufficientPoints, type PointsShortfall } from '../../users/points.js';
import { pgCode } from './pool.js';

/** Raised by reelqueue_points_charge and reelqueue_points_on_status when a balance is short. */
const INSUFFICIENT_POINTS_SQLSTATE = 'RQ402';

export function isPointsError(error: unknown): boolean {
  return pgCode(error) === INSUFFICIENT_POINTS_SQLSTATE;
}

export function mapPointsError(error: unknown, shortfall: () => PointsShortfall): unknown {
  return isPointsError(error) ? insufficientPoints(shortfall(), error) : error;
}
