// Copies the non-TypeScript files the build needs (SQL migrations) from src/ to dist/.
import { cpSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function copyAssets(from, to) {
  for (const entry of readdirSync(from)) {
    const source = path.join(from, entry);
    const target = path.join(to, entry);
    if (statSync(source).isDirectory()) copyAssets(source, target);
    else if (entry.endsWith('.sql')) cpSync(source, target);
  }
}

copyAssets('src', 'dist');
