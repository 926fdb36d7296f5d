/**
 * Finds the Chromium the dashboard's browser tests drive, the way users have it installed:
 * `CHROMIUM_PATH` first, then `chromium`, `chromium-browser` and `google-chrome` on PATH.
 * playwright-core never downloads a browser here; with none found, the error names every place tried.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

const NAMES_ON_PATH = ['chromium', 'chromium-browser', 'google-chrome'] as const;

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The absolute path of a Chromium executable, or an Error that lists what was tried. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const tried: string[] = [];
  const explicit = env.CHROMIUM_PATH?.trim();
  if (explicit) {
    if (isExecutableFile(explicit)) return explicit;
    tried.push(`CHROMIUM_PATH=${explicit} (not an executable file)`);
  } else {
    tried.push('CHROMIUM_PATH (not set)');
  }
  const dirs = (env.PATH ?? '').split(path.delimiter).filter((dir) => dir !== '');
  for (const name of NAMES_ON_PATH) {
    const found = dirs.map((dir) => path.join(dir, name)).find(isExecutableFile);
    if (found) return found;
    tried.push(`${name} on PATH`);
  }
  throw new Error(
    `No Chromium found for the browser tests. Tried: ${tried.join('; ')}. ` +
      'Install Chromium (Debian: apt-get install chromium) or set CHROMIUM_PATH to its executable.',
  );
}
