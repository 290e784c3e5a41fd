/**
 * `tutela hotspots`: the space-time permutation scan on a CSV of events (event_id, date, latitude,
 * longitude), written as JSON. Events at the same coordinates form one location; time is in days.
 * Every row and option is checked before any scanning starts.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { runSpaceTimeScan } from '../modules/analytics/scan/space-time-scan.ts';
import { ScanInputError } from '../modules/analytics/scan/scan-setup.ts';
import type { ScanCase, ScanLocation } from '../modules/analytics/scan/scan-types.ts';

const DAY_MS = 86_400_000;
const REQUIRED_COLUMNS = ['event_id', 'date', 'latitude', 'longitude'] as const;

export class HotspotsInputError extends Error {}

export interface HotspotsOptions {
  in: string;
  out: string;
  replications?: string;
  seed?: string;
  maxRadiusKm?: string;
  maxDays?: string;
  start?: string;
  end?: string;
  prospective?: boolean;
  workers?: string;
}

interface ParsedEvent { id: string; day: number; latitude: number; longitude: number }

export function dayNumber(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === text ? ms / DAY_MS : null;
}

export function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Reads and checks every row; the first bad one stops everything with its line and column. */
export function readEvents(csv: string): ParsedEvent[] {
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parse(csv, { columns: true, info: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (err) {
    throw new HotspotsInputError(`not a readable CSV: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (rows.length === 0) throw new HotspotsInputError('the file has no events (a header row and at least two events are needed)');
  const missing = REQUIRED_COLUMNS.filter((c) => !(c in rows[0]!.record));
  if (missing.length) throw new HotspotsInputError(`missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')} (header must name event_id, date, latitude, longitude)`);
  const seen = new Map<string, number>();
  return rows.map(({ record, info }) => {
    const at = (column: string): string => `line ${info.lines}, column ${column}`;
    const id = record.event_id ?? '';
    if (!id) throw new HotspotsInputError(`${at('event_id')}: empty event id`);
    if (seen.has(id)) throw new HotspotsInputError(`${at('event_id')}: event id "${id}" already used on line ${seen.get(id)}`);
    seen.set(id, info.lines);
    const day = dayNumber(record.date ?? '');
    if (day === null) throw new HotspotsInputError(`${at('date')}: "${record.date}" is not a date (YYYY-MM-DD)`);
    const latitude = Number(record.latitude);
    if (record.latitude === '' || !Number.isFinite(latitude) || Math.abs(latitude) > 90) {
      throw new HotspotsInputError(`${at('latitude')}: "${record.latitude}" is not a latitude in [-90, 90]`);
    }
    const longitude = Number(record.longitude);
    if (record.longitude === '' || !Number.isFinite(longitude) || Math.abs(longitude) > 180) {
      throw new HotspotsInputError(`${at('longitude')}: "${record.longitude}" is not a longitude in [-180, 180]`);
    }
    return { id, day, latitude, longitude };
  });
}

function integerOption(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new HotspotsInputError(`option ${name}: "${value}" must be an integer ≥ ${min}`);
  return n;
}

export async function runHotspots(opts: HotspotsOptions): Promise<Record<string, unknown>> {
  const replications = integerOption(opts.replications, '--replications', 999, 0);
  const seed = integerOption(opts.seed, '--seed', 1, 0);
  const workers = opts.workers === undefined ? 'auto' as const : integerOption(opts.workers, '--workers', 1, 1);
  let maxRadiusKm: number | undefined;
  if (opts.maxRadiusKm !== undefined) {
    maxRadiusKm = Number(opts.maxRadiusKm);
    if (!(maxRadiusKm >= 0) || !Number.isFinite(maxRadiusKm)) throw new HotspotsInputError(`option --max-radius-km: "${opts.maxRadiusKm}" must be a number ≥ 0`);
  }
  const endOption = opts.end === undefined ? undefined : dayNumber(opts.end);
  if (endOption === null) throw new HotspotsInputError(`option --end: "${opts.end}" is not a date (YYYY-MM-DD)`);
  const startOption = opts.start === undefined ? undefined : dayNumber(opts.start);
  if (startOption === null) throw new HotspotsInputError(`option --start: "${opts.start}" is not a date (YYYY-MM-DD)`);
  if (startOption !== undefined && endOption !== undefined && startOption > endOption) throw new HotspotsInputError('option --start: after --end');

  let text: string;
  try {
    text = fs.readFileSync(opts.in, 'utf8');
  } catch (err) {
    throw new HotspotsInputError(`cannot read --in ${opts.in}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const all = readEvents(text);
  const end = endOption ?? Math.max(...all.map((e) => e.day));
  const events = all.filter((e) => e.day <= end && (startOption === undefined || e.day >= startOption));
  if (events.length < 2) throw new HotspotsInputError(`at least two events in the study period are needed, found ${events.length}`);
  const start = startOption ?? Math.min(...events.map((e) => e.day));
  const studyDays = end - start + 1;
  const maxDays = integerOption(opts.maxDays, '--max-days', Math.max(1, Math.floor(studyDays / 2)), 1);
  if (maxDays > studyDays) {
    throw new HotspotsInputError(`option --max-days: ${maxDays} days is longer than the data (${isoDate(start)} to ${isoDate(end)}, ${studyDays} days)`);
  }

  const locationIndex = new Map<string, number>();
  const locations: ScanLocation[] = [];
  const cases: ScanCase[] = events.map((e) => {
    const key = `${e.latitude},${e.longitude}`;
    let index = locationIndex.get(key);
    if (index === undefined) {
      index = locations.length;
      locationIndex.set(key, index);
      locations.push({ id: key, coordinates: [e.latitude, e.longitude] });
    }
    return { location: index, time: e.day };
  });
  if (locations.length < 2) throw new HotspotsInputError(`events must come from at least two distinct locations, found ${locations.length}`);

  let result;
  try {
    result = await runSpaceTimeScan(locations, cases, {
      distance: 'great-circle', studyStart: start, studyEnd: end, prospective: opts.prospective ?? false,
      maxTemporalSize: { units: maxDays }, ...(maxRadiusKm !== undefined && { maxRadius: maxRadiusKm }),
      replications, seed, workers,
    });
  } catch (err) {
    if (err instanceof ScanInputError) throw new HotspotsInputError(err.message);
    throw err;
  }
  return {
    clusters: result.clusters.map((c) => {
      const centre = locations[c.centre]!.coordinates;
      return {
        latitude: centre[0], longitude: centre[1], radius_km: round(c.radius, 3), start: isoDate(c.startTime), end: isoDate(c.endTime),
        observed: c.observed, expected: round(c.expected, 6), llr: round(c.llr, 6), p_value: c.pValue,
        ...(opts.prospective && { recurrence_interval_days: c.recurrenceInterval }),
        locations: c.locations.length, event_ids: c.caseIndices.map((i) => events[i]!.id),
      };
    }),
    replications: result.replications,
    seed,
    study: {
      start: isoDate(start), end: isoDate(end), events: events.length, events_outside_period: all.length - events.length,
      locations: locations.length, max_days: maxDays, max_radius_km: maxRadiusKm ?? null, max_percent_of_events: 50,
      prospective: opts.prospective ?? false,
    },
    workers: result.workersUsed,
  };
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

export function registerHotspotsCommand(program: Command): void {
  program.command('hotspots')
    .description('Find clusters of events in space and time (Kulldorff\'s space-time permutation scan, as SaTScan). ' +
      'Reads a CSV with event_id, date (YYYY-MM-DD), latitude, longitude; writes JSON, most likely cluster first.')
    .requiredOption('--in <file>', 'events CSV')
    .requiredOption('--out <file>', 'where to write the JSON result')
    .option('--replications <n>', 'Monte Carlo replications (default 999)')
    .option('--seed <n>', 'random seed: the same seed gives the same p-values (default 1)')
    .option('--max-radius-km <km>', 'largest circle radius (default: none; circles hold at most 50 % of events)')
    .option('--max-days <days>', 'longest time window (default: half the study period)')
    .option('--start <date>', 'first day of the study period (default: the first event); earlier events are left out')
    .option('--end <date>', 'last day of the study period (default: the last event); later events are left out')
    .option('--prospective', 'only windows ending on the last day, with recurrence intervals (daily surveillance)')
    .option('--workers <n>', 'worker threads for the replications (default: both cores when it pays)')
    .action(async (opts: HotspotsOptions) => {
      try {
        const output = await runHotspots(opts);
        fs.writeFileSync(opts.out, `${JSON.stringify(output, null, 2)}\n`);
        const clusters = output.clusters as { p_value: number | null }[];
        console.log(`${clusters.length} cluster(s) written to ${opts.out}; most likely p = ${clusters[0]?.p_value ?? 'n/a'}`);
      } catch (err) {
        if (!(err instanceof HotspotsInputError)) throw err;
        console.error(`tutela hotspots: ${err.message}`);
        process.exitCode = 1;
      }
    });
}
