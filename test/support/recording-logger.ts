/** A real pino logger whose JSON lines are kept in memory, so tests can read what was logged. */
import { pino } from 'pino';
import type { Logger } from '../../src/logger.js';

export interface LogRecord {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** pino's number for `warn`. */
export const WARN = 40;

export class RecordingLogger {
  readonly records: LogRecord[] = [];
  readonly logger: Logger;

  constructor(level = 'info') {
    this.logger = pino(
      { level },
      { write: (line: string) => this.records.push(JSON.parse(line) as LogRecord) },
    );
  }

  /** Records at `level` or above whose fields include `fields`. */
  matching(fields: Record<string, unknown>, level = 0): LogRecord[] {
    return this.records.filter(
      (record) =>
        record.level >= level && Object.entries(fields).every(([key, value]) => record[key] === value),
    );
  }
}
