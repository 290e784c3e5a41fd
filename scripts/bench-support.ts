import fs from 'node:fs';
import { sql } from 'kysely';
import pg from 'pg';
import type { Store } from '../src/platform/db/store.ts';

/** What the store benchmarks share. */

export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

/** A fresh bench database each run (history tables are append-only, so leftovers cannot be deleted). */
export async function recreatePgDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  u.pathname = '/postgres';
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  await client.query(`drop database if exists "${name}"`);
  await client.query(`create database "${name}"`);
  await client.end();
}

/** CPU time (ms) of each PostgreSQL backend of this database, by pid: the server on this machine (null for PGlite, which runs in this process, or a remote server). */
export async function serverCpu(store: Store): Promise<Map<number, number> | null> {
  if (store.kind !== 'postgres') return null;
  const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database()`.execute(store.db);
  const byPid = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      byPid.set(pid, ((Number(f[11]) + Number(f[12])) * 1000) / 100); // utime + stime, in clock ticks of 1/100 s
    } catch {
      return null;
    }
  }
  return byPid;
}

/** The backends' CPU between two `serverCpu` readings (a backend that appeared in between counts from zero). */
export const cpuSince = (before: Map<number, number> | null, after: Map<number, number> | null): number | null =>
  (before && after ? [...after].reduce((ms, [pid, t]) => ms + t - (before.get(pid) ?? 0), 0) : null);
