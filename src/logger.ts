/** The structured logger (pino): JSON lines on stderr, so stdout stays free for command output. */
import { destination, pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'reelqueue'): Logger {
  return pino({ name, level }, destination({ fd: 2, sync: false }));
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
