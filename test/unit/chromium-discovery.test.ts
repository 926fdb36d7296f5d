import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findChromium } from '../support/chromium.js';

describe('finding Chromium for the browser tests', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function folderWith(...names: string[]): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'reelqueue-chromium-'));
    dirs.push(dir);
    for (const name of names) {
      writeFileSync(path.join(dir, name), '#!/bin/sh\n');
      chmodSync(path.join(dir, name), 0o755);
    }
    return dir;
  }

  it('takes CHROMIUM_PATH first', () => {
    const own = folderWith('my-chrome');
    const onPath = folderWith('chromium');
    const found = findChromium({ CHROMIUM_PATH: path.join(own, 'my-chrome'), PATH: onPath });
    expect(found).toBe(path.join(own, 'my-chrome'));
  });

  it('then the usual names on PATH, in order', () => {
    const first = folderWith('google-chrome');
    const second = folderWith('chromium-browser');
    expect(findChromium({ PATH: [first, second].join(path.delimiter) })).toBe(
      path.join(second, 'chromium-browser'),
    );
    expect(findChromium({ PATH: first })).toBe(path.join(first, 'google-chrome'));
  });

  it('names everything it tried when there is none', () => {
    const empty = folderWith();
    expect(() => findChromium({ CHROMIUM_PATH: path.join(empty, 'nope'), PATH: empty })).toThrow(
      /CHROMIUM_PATH=.*nope.*chromium on PATH; chromium-browser on PATH; google-chrome on PATH/,
    );
  });

  it('skips a file that is not executable', () => {
    const dir = folderWith('chromium');
    chmodSync(path.join(dir, 'chromium'), 0o644);
    expect(() => findChromium({ PATH: dir })).toThrow(/No Chromium found/);
  });
});
