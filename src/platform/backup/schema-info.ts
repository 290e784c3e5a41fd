import { sql, type Kysely } from 'kysely';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE } from '../db/migrate.ts';

/**
 * What a backup needs to know about the store's schema, read from the catalogue (never from a hand-kept
 * list): the application tables, their columns, identity columns and the order foreign keys require.
 */

export class BackupError extends Error {}


/**
 * Rows of a table that references itself must be written parents first. Each such table names an order
 * here; a new self-referencing table without one makes `backup` refuse, so nobody finds out at restore.
 */
const SELF_REFERENCE_ORDER: Record<string, string[]> = {
  admin_areas: ['admin_level'],
};

export interface TableInfo {
  name: string;
  /** Columns written on restore (generated columns are left to the database). */
  columns: string[];
  /** Identity or serial columns whose sequence is moved past the restored values. */
  sequenceColumns: string[];
  /** A `generated always` identity column: the insert needs `overriding system value`. */
  identityAlways: boolean;
  orderBy: string[];
}

const q = <T>(db: Kysely<any>, query: ReturnType<typeof sql<T>>) => query.execute(db).then((r) => r.rows);

/** Every table in schema public except the migrator's own, parents before children. */
export async function listTables(db: Kysely<any>): Promise<TableInfo[]> {
  const names = (await q(db, sql<{ name: string }>`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'r' and not c.relispartition
      and c.relname <> ${MIGRATION_TABLE} and c.relname <> ${MIGRATION_LOCK_TABLE} order by 1`)).map((r) => r.name);
  const fks = await q(db, sql<{ child: string; parent: string }>`select cl.relname as child, pr.relname as parent from pg_constraint co
    join pg_class cl on cl.oid = co.conrelid join pg_class pr on pr.oid = co.confrelid join pg_namespace n on n.oid = cl.relnamespace
    where co.contype = 'f' and n.nspname = 'public'`);
  const cols = await q(db, sql<{ table: string; column: string; identity: string; generated: string; serial: boolean }>`select
      c.relname as "table", a.attname as "column", a.attidentity::text as identity, a.attgenerated::text as generated,
      coalesce(pg_get_expr(d.adbin, d.adrelid) like 'nextval(%', false) as serial
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where n.nspname = 'public' and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped order by c.relname, a.attnum`);
  const pks = await q(db, sql<{ table: string; column: string }>`select c.relname as "table", a.attname as "column"
    from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
      cross join lateral unnest(i.indkey) with ordinality as k(attnum, pos)
      join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
    where n.nspname = 'public' and i.indisprimary order by c.relname, k.pos`);

  const infos = new Map<string, TableInfo>();
  for (const name of names) {
    const mine = cols.filter((c) => c.table === name);
    const selfRef = fks.some((f) => f.child === name && f.parent === name);
    const pk = pks.filter((p) => p.table === name).map((p) => p.column);
    if (selfRef && !SELF_REFERENCE_ORDER[name]) {
      throw new BackupError(`table ${name} references itself and src/platform/backup/schema-info.ts names no parents-first order for it`);
    }
    infos.set(name, {
      name,
      columns: mine.filter((c) => !c.generated).map((c) => c.column),
      sequenceColumns: mine.filter((c) => c.identity || c.serial).map((c) => c.column),
      identityAlways: mine.some((c) => c.identity === 'a'),
      orderBy: [...(SELF_REFERENCE_ORDER[name] ?? []), ...(pk.length ? pk : mine.filter((c) => !c.generated).map((c) => c.column))],
    });
  }
  // Topological order: a table comes after every table it references (self-references aside).
  const ordered: TableInfo[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new BackupError(`foreign keys form a cycle: ${[...trail, name].join(' → ')}`);
    state.set(name, 'visiting');
    for (const f of fks) if (f.child === name && f.parent !== name && infos.has(f.parent)) visit(f.parent, [...trail, name]);
    state.set(name, 'done');
    ordered.push(infos.get(name)!);
  };
  for (const name of names) visit(name, []);
  return ordered;
}

/** Migration names applied to the store, in order (empty when it was never migrated). */
export async function appliedMigrations(db: Kysely<any>): Promise<string[]> {
  const exists = (await q(db, sql<{ t: string | null }>`select to_regclass(${`public.${MIGRATION_TABLE}`})::text as t`))[0]?.t;
  if (!exists) return [];
  return (await q(db, sql<{ name: string }>`select name from ${sql.id(MIGRATION_TABLE)} order by name`)).map((r) => r.name);
}

export { knownMigrations, migrateTo } from '../db/migrate.ts';
