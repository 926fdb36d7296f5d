/**
 * SQLite prepares a statement again every time a bare `LIMIT @x` or `OFFSET @x` is bound (its
 * planner reads the bound value), so the SQLite stores write row counts through `boundCount`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SQLITE_SOURCES = new URL('../../src/db/sqlite/', import.meta.url);

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') || entry.name.endsWith('.sql') ? [full] : [];
  });
}

describe('SQLite row counts', () => {
  it('are never a bare parameter after LIMIT or OFFSET', () => {
    const files = sourceFiles(SQLITE_SOURCES.pathname);
    expect(files.length).toBeGreaterThan(10);
    const bare = files.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/\b(?:LIMIT|OFFSET)\s+(?:[@:?]|\$(?!\{))\w*/g)].map(
        (match) => `${path.relative(SQLITE_SOURCES.pathname, file)}: ${match[0]}`,
      ),
    );
    expect(bare).toEqual([]);
  });
});
