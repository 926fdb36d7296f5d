/**
 * Names for a store's fixed statements. A named statement is parsed and planned once per connection
 * instead of on every call (≈ 0.4 ms of a short statement on this server).
 */
export function statementNames(prefix: string, statements: object): Map<string, string> {
  return new Map(
    Object.entries(statements)
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
      .map(([key, sql]) => [sql, `reelqueue_${prefix}_${key}`]),
  );
}
