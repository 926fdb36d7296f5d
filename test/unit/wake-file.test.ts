import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WakeFile } from '../../src/db/sqlite/wake-file.js';
import { waitFor } from '../support/wait.js';

describe('WakeFile', () => {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('tells every watcher of the file when one touches it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rq-wake-'));
    made.push(dir);
    const file = path.join(dir, 'db-wake-available');
    let heard = 0;
    const listener = new WakeFile(file, () => (heard += 1));
    const toucher = new WakeFile(file, () => undefined);
    expect(listener.watching).toBe(true);
    toucher.touch();
    await waitFor(() => heard > 0, { what: 'the watcher to hear the touch' });
    listener.close();
    toucher.close();
  });

  it('hands each watcher what the other writers said, not its own touches', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rq-wake-'));
    made.push(dir);
    const file = path.join(dir, 'db-wake-available');
    const heard: string[] = [];
    const listener = new WakeFile(file, (messages) => heard.push(...(messages ?? ['<unknown>'])));
    const toucher = new WakeFile(file, () => undefined);
    listener.touch('a:9:mine');
    toucher.touch('a:1:noop');
    toucher.touch('a:2');
    await waitFor(() => heard.length >= 2, { what: 'the watcher to read both messages' });
    expect(heard).toEqual(['a:1:noop', 'a:2']);
    listener.close();
    toucher.close();
  });

  it('stays quiet, and never throws, where the file cannot be made', () => {
    const wake = new WakeFile(path.join(tmpdir(), 'rq-no-such-dir', 'nested', 'db-wake'), () => undefined);
    expect(wake.watching).toBe(false);
    expect(() => wake.touch()).not.toThrow();
    expect(() => wake.close()).not.toThrow();
  });
});
