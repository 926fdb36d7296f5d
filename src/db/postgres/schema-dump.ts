/** A stable text dump of a PostgreSQL schema, compared in CI with the committed snapshot. */
import type pg from 'pg';

export async function dumpPostgresSchema(client: pg.ClientBase, schema: string): Promise<string> {
  const strip = (text: string) => text.split(`${schema}.`).join('');
  const columns = await client.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
    column_default: string | null;
  }>(
    `SELECT table_name, column_name, data_type, is_nullable, column_default
     FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
    [schema],
  );
  const constraints = await client.query<{ relname: string; conname: string; def: string }>(
    `SELECT c.relname, con.conname, pg_get_constraintdef(con.oid) AS def
     FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 ORDER BY c.relname, con.conname`,
    [schema],
  );
  const indexes = await client.query<{ indexname: string; indexdef: string }>(
    'SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname',
    [schema],
  );
  const views = await client.query<{ viewname: string; definition: string }>(
    'SELECT viewname, definition FROM pg_views WHERE schemaname = $1 ORDER BY viewname',
    [schema],
  );
  const functions = await client.query<{ proname: string; def: string }>(
    `SELECT p.proname, pg_get_functiondef(p.oid) AS def FROM pg_proc p
     JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 ORDER BY p.proname`,
    [schema],
  );
  const triggers = await client.query<{ def: string }>(
    `SELECT pg_get_triggerdef(t.oid) AS def FROM pg_trigger t
     JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND NOT t.tgisinternal ORDER BY c.relname, t.tgname`,
    [schema],
  );
  const lines: string[] = [];
  let table = '';
  for (const c of columns.rows) {
    if (c.table_name !== table) {
      table = c.table_name;
      lines.push('', `-- table ${table}`);
    }
    const nullable = c.is_nullable === 'NO' ? ' NOT NULL' : '';
    const fallback = c.column_default ? ` DEFAULT ${strip(c.column_default)}` : '';
    lines.push(`${c.column_name} ${c.data_type}${nullable}${fallback}`);
  }
  lines.push('', '-- constraints');
  for (const c of constraints.rows) lines.push(`${c.relname}.${c.conname}: ${strip(c.def)}`);
  lines.push('', '-- indexes');
  for (const i of indexes.rows) lines.push(strip(i.indexdef));
  if (triggers.rows.length > 0) lines.push('', '-- triggers');
  for (const t of triggers.rows) lines.push(strip(t.def));
  for (const v of views.rows) lines.push('', `-- view ${v.viewname}`, strip(v.definition).trim());
  for (const f of functions.rows) {
    lines.push(
      '',
      `-- function ${f.proname}`,
      strip(f.def)
        .replace(/search_path TO '[^']*'/, "search_path TO '<schema>'")
        .trim(),
    );
  }
  return `${lines.join('\n').trim()}\n`;
}
