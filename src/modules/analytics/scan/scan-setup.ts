/**
 * Turns locations, cases and options into the flat typed arrays the cylinder loop and the worker
 * threads share. Every check on the input happens here, before any scanning work starts.
 */
import { cartesianDistance, EARTH_RADIUS_KM, greatCircleKm } from './geometry.ts';
import type { ScanCase, ScanLocation, SpaceTimeScanOptions } from './scan-types.ts';

export class ScanInputError extends Error {
  constructor(message: string, readonly option?: string) {
    super(message);
    this.name = 'ScanInputError';
  }
}

/** Everything a replication needs; plain typed arrays so it crosses to workers by structured clone. */
export interface PreparedScan {
  totalCases: number;
  locationCount: number;
  intervalCount: number;
  maxWindow: number;
  minCases: number;
  prospective: boolean;
  /** Cases per location over the whole period (fixed under permutation). */
  locationTotals: Int32Array;
  /** One entry per individual case (counts expanded), so permuting times permutes cases. */
  caseLocation: Int32Array;
  caseInterval: Int32Array;
  /** casesBefore[t] = cases in intervals < t (fixed under permutation). */
  casesBefore: Float64Array;
  /** zoneMembers[zoneStart[i] .. zoneStart[i+1]) = locations of the largest allowed circle around i, nearest first. */
  zoneStart: Int32Array;
  zoneMembers: Int32Array;
  zoneRadius: Float64Array;
  /** xLnX[c] = c·ln c, so the inner loop takes one logarithm per cylinder instead of three. */
  xLnX: Float64Array;
}

export interface ScanSetup {
  prepared: PreparedScan;
  /** Index of the input case behind each expanded case. */
  caseSource: Int32Array;
  aggregationLength: number;
  studyStart: number;
  studyEnd: number;
}

export function prepareScan(locations: readonly ScanLocation[], cases: readonly ScanCase[], options: SpaceTimeScanOptions): ScanSetup {
  const { studyStart, studyEnd } = options;
  const aggregationLength = options.timeAggregationLength ?? 1;
  const maxSpatialPercent = options.maxSpatialPercentOfCases ?? 50;
  const minCases = options.minCases ?? 2;
  if (!Number.isInteger(studyStart) || !Number.isInteger(studyEnd) || studyEnd < studyStart) {
    throw new ScanInputError(`study period ${studyStart}..${studyEnd} must be two integers, start ≤ end`, 'studyStart');
  }
  if (!Number.isInteger(aggregationLength) || aggregationLength < 1) {
    throw new ScanInputError('time aggregation length must be a positive integer', 'timeAggregationLength');
  }
  if (!(maxSpatialPercent > 0 && maxSpatialPercent <= 50)) {
    throw new ScanInputError('maximum spatial size must be in (0, 50] % of cases', 'maxSpatialPercentOfCases');
  }
  if (options.maxRadius !== undefined && !(options.maxRadius >= 0)) {
    throw new ScanInputError('maximum radius must be ≥ 0', 'maxRadius');
  }
  if (!Number.isInteger(minCases) || minCases < 1) throw new ScanInputError('minimum cases must be a positive integer', 'minCases');
  if (locations.length < 2) throw new ScanInputError(`a scan needs at least two locations, got ${locations.length}`, 'locations');
  locations.forEach((loc, i) => {
    const [a, b] = loc.coordinates;
    if (!Number.isFinite(a) || !Number.isFinite(b)) throw new ScanInputError(`location ${i} (${loc.id}): coordinates must be finite numbers`, 'locations');
    if (options.distance === 'great-circle' && (Math.abs(a) > 90 || Math.abs(b) > 180)) {
      throw new ScanInputError(`location ${i} (${loc.id}): latitude must be in [-90, 90] and longitude in [-180, 180]`, 'locations');
    }
  });

  const studyLength = studyEnd - studyStart + 1;
  const intervalCount = Math.ceil(studyLength / aggregationLength);
  const maxTemporal = options.maxTemporalSize ?? { percentOfStudyPeriod: 50 };
  const maxWindow = 'units' in maxTemporal
    ? Math.floor(maxTemporal.units / aggregationLength)
    : Math.floor((maxTemporal.percentOfStudyPeriod / 100) * studyLength / aggregationLength);
  if (maxWindow < 1) throw new ScanInputError('maximum temporal size is shorter than one time interval', 'maxTemporalSize');
  if ('units' in maxTemporal ? maxTemporal.units > studyLength : maxTemporal.percentOfStudyPeriod > 90) {
    throw new ScanInputError(`maximum temporal size is longer than the study period (${studyLength} units)`, 'maxTemporalSize');
  }

  let totalCases = 0;
  cases.forEach((c, i) => {
    const count = c.count ?? 1;
    if (!Number.isInteger(c.location) || c.location < 0 || c.location >= locations.length) {
      throw new ScanInputError(`case ${i}: unknown location index ${c.location}`, 'cases');
    }
    if (!Number.isInteger(c.time) || c.time < studyStart || c.time > studyEnd) {
      throw new ScanInputError(`case ${i}: time ${c.time} is outside the study period ${studyStart}..${studyEnd}`, 'cases');
    }
    if (!Number.isInteger(count) || count < 0) throw new ScanInputError(`case ${i}: count must be a non-negative integer`, 'cases');
    totalCases += count;
  });
  if (totalCases < 2) throw new ScanInputError(`a scan needs at least two cases, got ${totalCases}`, 'cases');

  const caseLocation = new Int32Array(totalCases);
  const caseInterval = new Int32Array(totalCases);
  const caseSource = new Int32Array(totalCases);
  const locationTotals = new Int32Array(locations.length);
  const intervalTotals = new Float64Array(intervalCount);
  let k = 0;
  cases.forEach((c, i) => {
    // Intervals are laid out backwards from the study end, as SaTScan does: the last one is always whole.
    const interval = intervalCount - 1 - Math.floor((studyEnd - c.time) / aggregationLength);
    for (let n = c.count ?? 1; n > 0; n--, k++) {
      caseLocation[k] = c.location;
      caseInterval[k] = interval;
      caseSource[k] = i;
    }
    locationTotals[c.location]! += c.count ?? 1;
    intervalTotals[interval]! += c.count ?? 1;
  });
  const casesBefore = new Float64Array(intervalCount + 1);
  for (let t = 0; t < intervalCount; t++) casesBefore[t + 1] = casesBefore[t]! + intervalTotals[t]!;

  const xLnX = new Float64Array(totalCases + 1);
  for (let c = 1; c <= totalCases; c++) xLnX[c] = c * Math.log(c);

  const zones = buildZones(locations, locationTotals, options.distance, (maxSpatialPercent / 100) * totalCases, options.maxRadius ?? Infinity);
  return {
    prepared: {
      totalCases, locationCount: locations.length, intervalCount, maxWindow: Math.min(maxWindow, intervalCount), minCases,
      prospective: options.prospective ?? false, locationTotals, caseLocation, caseInterval, casesBefore, xLnX, ...zones,
    },
    caseSource, aggregationLength, studyStart, studyEnd,
  };
}

/**
 * Circles centred on each location, grown one location at a time in order of distance. Equidistant
 * locations are added one by one, ordered by their coordinates (first, then second): that is how
 * SaTScan v9.4 behaves on the fixtures (test 1 reports {23, 6, 16} and leaves out the equally far 11 and 24).
 * Growth stops before the first location that would break the case share or the radius cap.
 */
function buildZones(locations: readonly ScanLocation[], totals: Int32Array, distance: SpaceTimeScanOptions['distance'],
  maxZoneCases: number, maxRadius: number): Pick<PreparedScan, 'zoneStart' | 'zoneMembers' | 'zoneRadius'> {
  const L = locations.length;
  const measure = distance === 'great-circle' ? greatCircleKm : cartesianDistance;
  const coordinateRank = new Int32Array(L);
  const byCoordinate = Array.from({ length: L }, (_, i) => i).sort((a, b) => {
    const ca = locations[a]!.coordinates;
    const cb = locations[b]!.coordinates;
    return ca[0] - cb[0] || ca[1] - cb[1] || a - b;
  });
  byCoordinate.forEach((loc, rank) => { coordinateRank[loc] = rank; });

  const zoneStart = new Int32Array(L + 1);
  const members: number[] = [];
  const radii: number[] = [];
  const dist = new Float64Array(L);
  const byDistance = (centre: number) => (a: number, b: number): number =>
    (a === centre ? -1 : b === centre ? 1 : dist[a]! - dist[b]! || coordinateRank[a]! - coordinateRank[b]!);
  const take = (centre: number, candidates: number[]): void => {
    candidates.sort(byDistance(centre));
    let zoneCases = 0;
    for (const j of candidates) {
      if (dist[j]! > maxRadius || zoneCases + totals[j]! > maxZoneCases) break;
      zoneCases += totals[j]!;
      members.push(j);
      radii.push(dist[j]!);
    }
    zoneStart[centre + 1] = members.length;
  };
  if (Number.isFinite(maxRadius)) {
    // A radius cap: only locations in a band of the first coordinate can qualify, so look there
    // instead of measuring all L² pairs (minutes at 10,000 locations).
    const byFirst = Array.from({ length: L }, (_, i) => i).sort((a, b) => locations[a]!.coordinates[0] - locations[b]!.coordinates[0]);
    const firsts = Float64Array.from(byFirst, (i) => locations[i]!.coordinates[0]);
    // Great-circle: a radius of r km spans r / (π·R/180) degrees of latitude; the 1e-9 keeps edge cases in.
    const band = distance === 'great-circle' ? (maxRadius / EARTH_RADIUS_KM) * (180 / Math.PI) + 1e-9 : maxRadius * (1 + 1e-12) + 1e-12;
    const lowerBound = (x: number): number => {
      let lo = 0;
      let hi = L;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (firsts[mid]! < x) lo = mid + 1; else hi = mid; }
      return lo;
    };
    for (let centre = 0; centre < L; centre++) {
      const here = locations[centre]!.coordinates;
      const candidates: number[] = [centre];
      dist[centre] = 0;
      for (let r = lowerBound(here[0] - band); r < L && firsts[r]! <= here[0] + band; r++) {
        const j = byFirst[r]!;
        if (j === centre) continue;
        const d = measure(here, locations[j]!.coordinates);
        if (d <= maxRadius) { dist[j] = d; candidates.push(j); }
      }
      take(centre, candidates);
    }
  } else {
    const sortedDist = new Float64Array(L);
    for (let centre = 0; centre < L; centre++) {
      const here = locations[centre]!.coordinates;
      for (let j = 0; j < L; j++) dist[j] = measure(here, locations[j]!.coordinates);
      dist[centre] = 0;
      sortedDist.set(dist);
      sortedDist.sort();
      // Sort only as many nearest locations as the case cap can admit, doubling until it binds.
      for (let count = Math.min(64, L); ; count = Math.min(count * 2, L)) {
        const threshold = sortedDist[count - 1]!;
        const candidates: number[] = [];
        for (let j = 0; j < L; j++) if (dist[j]! <= threshold) candidates.push(j);
        candidates.sort(byDistance(centre));
        let zoneCases = 0;
        let capped = false;
        for (const j of candidates) {
          if (zoneCases + totals[j]! > maxZoneCases) { capped = true; break; }
          zoneCases += totals[j]!;
        }
        if (capped || count === L) { take(centre, candidates); break; }
      }
    }
  }
  return { zoneStart, zoneMembers: Int32Array.from(members), zoneRadius: Float64Array.from(radii) };
}
