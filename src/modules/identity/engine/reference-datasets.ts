/**
 * Loaders for the public benchmark files in shared/datasets (FEBRL and Splink; see their READMEs): rows for
 * the engine plus the true entity of every record. Used by tests and the benchmark, never by the product.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Truth } from './evaluation.ts';
import type { Row } from './settings.ts';

export interface LabelledRows { rows: Row[]; truth: Truth }

function readCsv(path: string): Record<string, string>[] {
  return parse(readFileSync(path, 'utf8'), { columns: true, trim: true, skip_empty_lines: true }) as Record<string, string>[];
}

function withoutEmpty(row: Record<string, string>): Row {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(row)) out[k] = v === '' ? undefined : v;
  return out;
}

/** FEBRL: "rec-N-org" and "rec-N-dup-k" are the same person N. Several files are linked across (source = file index). */
export function loadFebrl(paths: readonly string[], options: { dropColumns?: string[] } = {}): LabelledRows {
  const rows: Row[] = [];
  const entityOf: string[] = [];
  const source: number[] = [];
  paths.forEach((path, s) => {
    for (const raw of readCsv(path)) {
      for (const c of options.dropColumns ?? []) delete raw[c];
      rows.push(withoutEmpty(paths.length > 1 ? { ...raw, source: String(s) } : raw));
      entityOf.push(/^rec-(\d+)-/.exec(raw.rec_id ?? '')?.[1] ?? raw.rec_id ?? '');
      source.push(s);
    }
  });
  return { rows, truth: { entityOf, sources: paths.length > 1 ? Int32Array.from(source) : null } };
}

/** Splink sets: the `cluster` column is the true entity. */
export function loadSplink(path: string): LabelledRows {
  const rows = readCsv(path).map(withoutEmpty);
  return { rows, truth: { entityOf: rows.map((r) => r.cluster ?? ''), sources: null } };
}
