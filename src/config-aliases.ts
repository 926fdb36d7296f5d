/**
 * Setting names the seed services read, accepted beside ours so a team moving over keeps its
 * environment. Each alias maps to one reelqueue setting; one that would contradict the setting it
 * stands for is refused with a message naming the setting to use, never ignored.
 */
import { normalDatabaseUrl } from './db/database-url.js';
import { ReelqueueError } from './errors.js';

type Source = Record<string, string | number | undefined>;

interface Alias {
  /** The seed's name (seed 003: `DATABASE_PATH=./data/pocket_musec.db`). */
  readonly name: string;
  /** The reelqueue setting it stands for. */
  readonly setting: string;
  /** The alias's value written as the reelqueue setting's value. */
  readonly translate: (value: string) => string;
  /** Whether two values of the setting mean the same thing. */
  readonly same: (a: string, b: string) => boolean;
}

export const SETTING_ALIASES: readonly Alias[] = [
  {
    name: 'DATABASE_PATH',
    setting: 'DATABASE_URL',
    translate: (file) => `sqlite:${file}`,
    same: (a, b) => normalDatabaseUrl(a) === normalDatabaseUrl(b),
  },
];

function present(source: Source, name: string): string | undefined {
  const value = source[name];
  return value === undefined || value === '' ? undefined : String(value);
}

/**
 * The values aliases give: for each alias set in the environment, its setting's value, unless an
 * override (a command-line flag) sets that setting. An alias and its setting both in the
 * environment with different meanings is refused.
 */
export function aliasedSettings(env: Source, overrides: Source): Record<string, string> {
  const values: Record<string, string> = {};
  for (const alias of SETTING_ALIASES) {
    const value = present(env, alias.name);
    const override = present(overrides, alias.setting);
    // A flag wins; an "override" that is only the environment's value again (the CLI's
    // --database-url falls back to DATABASE_URL) is the environment, checked below.
    if (value === undefined || (override !== undefined && override !== present(env, alias.setting))) continue;
    const translated = alias.translate(value);
    const direct = present(env, alias.setting);
    if (direct !== undefined && !alias.same(direct, translated)) {
      throw new ReelqueueError(
        'CONFIG_INVALID',
        `Invalid configuration: ${alias.name}=${JSON.stringify(value)} and ` +
          `${alias.setting}=${JSON.stringify(direct)} are both set and disagree: ${alias.name} is the ` +
          `seed's name for ${alias.setting}; keep ${alias.setting} only`,
        {
          problems: [
            { setting: alias.name, value, problem: `contradicts ${alias.setting}; use ${alias.setting}` },
          ],
        },
      );
    }
    values[alias.setting] = translated;
  }
  return values;
}
