/** What a connection reports about itself (connection-probe.ts). */
export const connectionSql = {
  /** The schema unqualified names resolve to (null: none of the search_path exists) and the server's port. */
  probe: `SELECT current_schema() AS schema, current_setting('port')::int AS port`,
};
