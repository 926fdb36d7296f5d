/** Builds dist/ (the CLI worker runs from it) before a run, unless --no-build. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { REELQUEUE_CLI } from '../systems/reelqueue.js';

const ROOT = new URL('../../', import.meta.url).pathname;

export function buildReelqueue(log: (message: string) => void): void {
  log('building reelqueue (npm run build)…');
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) {
    // tsc still emits JavaScript when type checking fails; copy the SQL assets so dist/ is whole.
    log(
      `WARNING: npm run build failed; benchmarking the JavaScript tsc emitted anyway:\n${build.stdout.slice(-2000)}`,
    );
    spawnSync(process.execPath, ['scripts/copy-assets.mjs'], { cwd: ROOT, stdio: 'inherit' });
  }
  if (!existsSync(REELQUEUE_CLI)) throw new Error(`${REELQUEUE_CLI} is missing: run npm run build`);
}
