/**
 * The rollup folder runs every couple of seconds in every process: during a database outage it logs
 * the failure once (error) and the recovery once (info), not one error per turn. SQLite only: the
 * outage is the deltas' table renamed away by another connection (every fold then fails with "no
 * such table", a real database error) and back; the logging does not depend on the dialect.
 */
import { describe, expect, it } from 'vitest';
import { RollupFolder } from '../../src/jobs/rollup-folder.js';
import { useConformanceDatabase } from '../support/conformance.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { DIALECT } from '../support/test-database.js';

const ERROR = 50;
const FAILED = 'folding the statistics rollups failed; trying again every couple of seconds';
const RECOVERED = 'folding the statistics rollups works again';

describe.runIf(DIALECT === 'sqlite')('the rollup folder during an outage', () => {
  const ctx = useConformanceDatabase();

  it('logs one error when the folds start failing and one info when they work again', async () => {
    const { t, store, jobs } = ctx();
    const log = new RecordingLogger('info');
    const folder = new RollupFolder(store, log.logger);
    await jobs.pendingMany(10);
    await folder.fold();
    expect(log.records).toEqual([]);

    await t.sql({ sqlite: 'ALTER TABLE job_rollup_deltas RENAME TO job_rollup_deltas_away', postgres: '' });
    for (let turn = 0; turn < 5; turn++) await folder.fold();
    expect(log.matching({ msg: FAILED })).toHaveLength(1);
    expect(log.matching({ msg: FAILED })[0]?.level).toBe(ERROR);

    await t.sql({ sqlite: 'ALTER TABLE job_rollup_deltas_away RENAME TO job_rollup_deltas', postgres: '' });
    await jobs.pendingMany(10);
    for (let turn = 0; turn < 3; turn++) await folder.fold();
    expect(log.matching({ msg: RECOVERED })).toHaveLength(1);
    expect(log.records.map((record) => record.msg)).toEqual([FAILED, RECOVERED]);
    // The folds that work again moved every waiting delta into the rollups.
    const [counted] = await t.sql<{ n: number }>({
      sqlite: 'SELECT count(*) AS n FROM job_rollup_deltas',
      postgres: 'SELECT 0 AS n',
    });
    expect(Number(counted?.n)).toBe(0);
  });
});
