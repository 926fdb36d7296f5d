/**
 * A row count for LIMIT or OFFSET, bound as a parameter. When LIMIT is followed by a bare parameter,
 * SQLite (3.47 and later) plans with the value bound at the time, and so prepares the statement
 * again whenever the parameter is bound anew: for the claim, with its three triggers, 250 µs per call
 * on a slow machine against 100 µs for the whole claim of one job. Inside a CAST the value is read
 * when the statement runs, as before that planner change.
 */
export const boundCount = (name: string): string => `CAST(@${name} AS INTEGER)`;
