/** When reelqueue names its PostgreSQL statements (DATABASE_PREPARED_STATEMENTS). */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { isReelqueueError } from '../../src/errors.js';
import { PreparedStatements, urlPort } from '../../src/db/postgres/named-statements.js';

const URL_5432 = 'postgres://app@db.example/reelqueue';
const URL_6432 = 'postgres://app@pooler.example:6432/reelqueue';

describe('PreparedStatements', () => {
  it('auto names nothing until a probe finds the server at the port the URL names', () => {
    const statements = new PreparedStatements('auto');
    expect(statements.named).toBe(false);
    statements.probed(URL_5432, 5432);
    expect(statements.named).toBe(true);
  });

  it('auto names nothing when the server listens elsewhere: a pooler is in between', () => {
    const statements = new PreparedStatements('auto');
    statements.probed(URL_6432, 5432);
    expect(statements.named).toBe(false);
  });

  it('on and off are kept whatever a probe finds', () => {
    const on = new PreparedStatements('on');
    on.probed(URL_6432, 5432);
    expect(on.named).toBe(true);
    const off = new PreparedStatements('off');
    off.probed(URL_5432, 5432);
    expect(off.named).toBe(false);
  });

  it('reads the port of a URL, 5432 when it names none, null for a socket or a host list', () => {
    expect(urlPort(URL_5432)).toBe(5432);
    expect(urlPort(URL_6432)).toBe(6432);
    expect(urlPort('postgres://app@/reelqueue?host=/var/run/postgresql')).toBeNull();
  });
});

describe('the connection settings', () => {
  it('DATABASE_LISTEN_URL is unset by default and must be a PostgreSQL URL', () => {
    expect(loadConfig({}).databaseListenUrl).toBeUndefined();
    expect(loadConfig({ DATABASE_LISTEN_URL: URL_5432 }).databaseListenUrl).toBe(URL_5432);
    expect(() => loadConfig({ DATABASE_LISTEN_URL: 'sqlite:./x.db' })).toThrow(/DATABASE_LISTEN_URL/);
  });

  it('DATABASE_PREPARED_STATEMENTS is auto by default and one of auto, on, off', () => {
    expect(loadConfig({}).databasePreparedStatements).toBe('auto');
    expect(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'off' }).databasePreparedStatements).toBe('off');
    let error: unknown;
    try {
      loadConfig({ DATABASE_PREPARED_STATEMENTS: 'maybe' });
    } catch (caught) {
      error = caught;
    }
    expect(isReelqueueError(error, 'CONFIG_INVALID')).toBe(true);
  });
});
