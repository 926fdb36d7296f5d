// Copies the non-TypeScript files the build needs (SQL migrations) from src/ to dist/, and removes
// the ones dist/ still holds from an earlier build: a migration file renamed or removed in src/ must
// not be applied from a stale copy. Then marks the `reelqueue` command executable: tsc writes it as
// a plain file, and `npx reelqueue` (the README's try-it line) runs package.json's bin directly.
import { chmodSync, cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

function copyAssets(from, to) {
  const sources = readdirSync(from);
  if (existsSync(to)) {
    for (const entry of readdirSync(to)) {
      if (entry.endsWith('.sql') && !sources.includes(entry)) rmSync(path.join(to, entry));
    }
  }
  for (const entry of sources) {
    const source = path.join(from, entry);
    const target = path.join(to, entry);
    if (statSync(source).isDirectory()) copyAssets(source, target);
    else if (entry.endsWith('.sql')) cpSync(source, target);
  }
}

copyAssets('src', 'dist');
chmodSync('dist/cli/main.js', 0o755);
