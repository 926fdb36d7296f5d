/** The JSON Lines format of job export and import: the header, and what `checkLines` refuses. */
import { describe, expect, it } from 'vitest';
import { ReelqueueError } from '../../src/errors.js';
import { checkLines } from '../../src/jobs/transfer.js';
import { TRANSFER_VERSION, parseHeaderLine, transferHeader } from '../../src/jobs/transfer-lines.js';

const HEADER = JSON.stringify(transferHeader('sqlite', new Date(0)));

async function refusal(lines: string[]): Promise<{ code: string; details: Record<string, unknown> }> {
  try {
    await checkLines(lines);
  } catch (error) {
    expect(error).toBeInstanceOf(ReelqueueError);
    return { code: (error as ReelqueueError).code, details: (error as ReelqueueError).details ?? {} };
  }
  throw new Error('the lines were accepted');
}

describe('job transfer lines', () => {
  it('reads the header it writes, and an export of no job', async () => {
    expect(parseHeaderLine(HEADER)).toMatchObject({ format: 'reelqueue-jobs', version: TRANSFER_VERSION });
    expect(await checkLines([HEADER, ''])).toBe(0);
  });

  it('refuses an empty input, a missing header and a version it does not read, at line 1', async () => {
    expect(await refusal([])).toMatchObject({ code: 'IMPORT_INVALID_LINE', details: { line: 1 } });
    expect(await refusal(['', HEADER])).toMatchObject({ code: 'IMPORT_INVALID_LINE', details: { line: 1 } });
    expect(await refusal(['{"id":"x"}'])).toMatchObject({
      code: 'IMPORT_INVALID_LINE',
      details: { line: 1 },
    });
    const future = JSON.stringify({ ...JSON.parse(HEADER), version: TRANSFER_VERSION + 1 });
    expect(await refusal([future])).toMatchObject({
      code: 'IMPORT_INVALID_LINE',
      details: { line: 1, field: 'version' },
    });
  });

  it('numbers lines as the file does, blank lines included', async () => {
    expect(await refusal([HEADER, '', 'not json'])).toMatchObject({ details: { line: 3 } });
    expect(await refusal([HEADER, '[1]'])).toMatchObject({ details: { line: 2 } });
  });
});
