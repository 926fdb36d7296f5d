/** Which database a `DATABASE_URL` names. */
import path from 'node:path';
import { ReelqueueError } from '../errors.js';

export type DatabaseTarget =
  { dialect: 'sqlite'; filename: string } | { dialect: 'postgres'; connectionString: string; schema: string };

export function parseDatabaseUrl(url: string, schema = 'public'): DatabaseTarget {
  if (url.startsWith('sqlite:')) {
    let rest = url.slice('sqlite:'.length);
    if (rest.startsWith('//')) rest = rest.slice(2);
    if (rest === '') {
      throw new ReelqueueError(
        'CONFIG_INVALID',
        'DATABASE_URL sqlite: needs a file path, like sqlite:./data/reelqueue.db',
      );
    }
    return { dialect: 'sqlite', filename: rest === ':memory:' ? rest : path.resolve(rest) };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return { dialect: 'postgres', connectionString: url, schema };
  }
  throw new ReelqueueError(
    'CONFIG_INVALID',
    `DATABASE_URL must start with sqlite: or postgres://, got ${url}`,
  );
}
