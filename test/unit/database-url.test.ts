import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { parseDatabaseUrl } from '../../src/db/database-url.js';

const fileOf = (url: string) => {
  const target = parseDatabaseUrl(url);
  if (target.dialect !== 'sqlite') throw new Error(`not sqlite: ${url}`);
  return target.filename;
};

describe('DATABASE_URL for SQLite, as SQLAlchemy reads it', () => {
  it('sqlite:///relative is relative to the working directory (seed 002 default)', () => {
    expect(fileOf('sqlite:///./presentation_jobs.db')).toBe(path.resolve('presentation_jobs.db'));
    expect(fileOf('sqlite:///data/jobs.db')).toBe(path.resolve('data/jobs.db'));
  });

  it('sqlite:////absolute is an absolute path', () => {
    expect(fileOf('sqlite:////var/lib/reelqueue/jobs.db')).toBe('/var/lib/reelqueue/jobs.db');
  });

  it('a SQLAlchemy driver suffix is accepted with the same forms', () => {
    expect(fileOf('sqlite+pysqlite:///./jobs.db')).toBe(path.resolve('jobs.db'));
    expect(fileOf('sqlite+aiosqlite:////tmp/jobs.db')).toBe('/tmp/jobs.db');
  });

  it("keeps reelqueue's own forms: sqlite:PATH, sqlite:/abs, sqlite://PATH", () => {
    expect(fileOf('sqlite:./data/reelqueue.db')).toBe(path.resolve('data/reelqueue.db'));
    expect(fileOf('sqlite:data/reelqueue.db')).toBe(path.resolve('data/reelqueue.db'));
    expect(fileOf('sqlite:/tmp/x.db')).toBe('/tmp/x.db');
    expect(fileOf('sqlite://./data/x.db')).toBe(path.resolve('data/x.db'));
    expect(fileOf('sqlite::memory:')).toBe(':memory:');
  });

  it('refuses a URL with no file and one with query options, naming the form to use', () => {
    for (const url of ['sqlite:', 'sqlite://', 'sqlite:///', 'sqlite:////']) {
      expect(() => parseDatabaseUrl(url), url).toThrow(/needs a file path/);
    }
    expect(() => parseDatabaseUrl('sqlite:///./x.db?mode=ro')).toThrow(/query options/);
  });

  it('the resolved config names the file in one spelling, relative to the working directory', () => {
    const config = loadConfig({ DATABASE_URL: 'sqlite:///./presentation_jobs.db' });
    expect(config.databaseUrl).toBe(`sqlite:${path.resolve('presentation_jobs.db')}`);
    expect(() => loadConfig({ DATABASE_URL: 'sqlite:///' })).toThrow(/DATABASE_URL.*needs a file path/);
  });
});

describe("the seeds' setting names", () => {
  it("seed 003's DATABASE_PATH names the SQLite file", () => {
    const config = loadConfig({ DATABASE_PATH: './data/pocket_musec.db' });
    expect(config.databaseUrl).toBe(`sqlite:${path.resolve('data/pocket_musec.db')}`);
  });

  it('DATABASE_PATH beside a DATABASE_URL naming the same file is accepted', () => {
    const config = loadConfig({ DATABASE_PATH: './x.db', DATABASE_URL: 'sqlite:///./x.db' });
    expect(config.databaseUrl).toBe(`sqlite:${path.resolve('x.db')}`);
  });

  it('DATABASE_PATH contradicting DATABASE_URL is refused, naming the setting to use', () => {
    expect(() =>
      loadConfig({ DATABASE_PATH: './a.db', DATABASE_URL: 'postgres://postgres@127.0.0.1/test' }),
    ).toThrow(/DATABASE_PATH.*DATABASE_URL.*keep DATABASE_URL only/);
  });

  it("the CLI passing on the environment's DATABASE_URL does not hide a contradicting DATABASE_PATH", () => {
    const env = { DATABASE_PATH: './a.db', DATABASE_URL: 'sqlite:./b.db' };
    expect(() => loadConfig(env, { DATABASE_URL: env.DATABASE_URL })).toThrow(/keep DATABASE_URL only/);
  });

  it('a --database-url flag wins over DATABASE_PATH in the environment', () => {
    const config = loadConfig({ DATABASE_PATH: './a.db' }, { DATABASE_URL: 'sqlite:./b.db' });
    expect(config.databaseUrl).toBe(`sqlite:${path.resolve('b.db')}`);
  });

  it("the seeds' job settings are read under the same names", () => {
    const config = loadConfig({
      JOB_TIMEOUT_MINUTES: '10',
      MAX_RETRIES: '2',
      RETRY_DELAYS: '0,5,15',
      CLEANUP_MAX_AGE_HOURS: '24',
      ORPHANED_JOB_TIMEOUT_MINUTES: '30',
    });
    expect(config.jobTimeoutSeconds).toBe(600);
    expect(config.retryDelaysSeconds).toEqual([0, 5, 15]);
    expect(config.orphanedJobTimeoutMinutes).toBe(30);
  });
});
