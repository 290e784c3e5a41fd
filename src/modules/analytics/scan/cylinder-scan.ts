/**
 * The hot loop: every cylinder (zone × time window) of one data set, observed or permuted, keeping
 * the best cylinder of each centre. The maximum over centres is the scan statistic; the per-centre
 * bests are what SaTScan ranks to report secondary clusters.
 *
 * Expected counts depend only on the location and time marginals, which a time permutation keeps, so
 * ln μ is assembled from logarithms computed once; c·ln c comes from a table.
 */
import type { PreparedScan } from './scan-setup.ts';

/** Above this many cylinders per scan the log tables (16 bytes each) are skipped and logs computed inline. */
const LOG_TABLE_LIMIT = 24_000_000;

export interface CentreBests {
  llr: Float64Array;
  /** Number of zone members (nearest first) in the centre's best cylinder; 0 when it has none. */
  size: Int32Array;
  firstInterval: Int32Array;
  lastInterval: Int32Array;
}

export class CylinderScanner {
  readonly bests: CentreBests;
  private readonly timeWindowCases: Float64Array;
  private readonly lnTimeWindowCases: Float64Array;
  private readonly locationWindowCases: Int32Array;
  private readonly zoneWindowCases: Float64Array;
  /** ln μ and ln(C − μ) per (zone member k, window d): replicate-invariant, so computed once per thread. */
  private readonly lnExpected: Float64Array | null;
  private readonly lnRestExpected: Float64Array | null;
  private readonly locationOffset: Int32Array;
  private readonly locationFill: Int32Array;
  private readonly casesByLocation: Int32Array;
  private readonly casesByTime: Int32Array;
  private readonly intervalFill: Int32Array;
  private readonly zoneIntervalCases: Int32Array;
  private zoneIntervals: Int32Array;
  private mergeBuffer: Int32Array;
  private readonly newIntervals: Int32Array;

  constructor(private readonly p: PreparedScan) {
    const L = p.locationCount;
    const T = p.intervalCount;
    const D = p.maxWindow;
    this.bests = { llr: new Float64Array(L), size: new Int32Array(L), firstInterval: new Int32Array(L), lastInterval: new Int32Array(L) };
    this.timeWindowCases = new Float64Array(D);
    this.lnTimeWindowCases = new Float64Array(D);
    for (let d = 0; d < D; d++) {
      this.timeWindowCases[d] = p.casesBefore[T]! - p.casesBefore[T - 1 - d]!;
      this.lnTimeWindowCases[d] = Math.log(this.timeWindowCases[d]!);
    }
    this.locationWindowCases = new Int32Array(p.prospective ? L * D : 0);
    this.zoneWindowCases = new Float64Array(p.prospective ? D : 0);
    const tableSize = p.zoneMembers.length * D;
    if (p.prospective && tableSize <= LOG_TABLE_LIMIT) {
      this.lnExpected = new Float64Array(tableSize);
      this.lnRestExpected = new Float64Array(tableSize);
      for (let centre = 0; centre < L; centre++) {
        let zoneCases = 0;
        for (let k = p.zoneStart[centre]!; k < p.zoneStart[centre + 1]!; k++) {
          zoneCases += p.locationTotals[p.zoneMembers[k]!]!;
          for (let d = 0; d < D; d++) {
            const mu = (zoneCases * this.timeWindowCases[d]!) / p.totalCases;
            this.lnExpected[k * D + d] = Math.log(mu);
            this.lnRestExpected[k * D + d] = Math.log(p.totalCases - mu);
          }
        }
      }
    } else {
      this.lnExpected = null;
      this.lnRestExpected = null;
    }
    const retro = p.prospective ? 0 : 1;
    this.locationOffset = new Int32Array(L + 1);
    for (let j = 0; j < L; j++) this.locationOffset[j + 1] = this.locationOffset[j]! + p.locationTotals[j]!;
    this.locationFill = new Int32Array(L * retro);
    this.casesByLocation = new Int32Array(p.totalCases * retro);
    this.casesByTime = new Int32Array(p.totalCases * retro);
    this.intervalFill = new Int32Array(T * retro);
    this.zoneIntervalCases = new Int32Array(T * retro);
    this.zoneIntervals = new Int32Array(T * retro);
    this.mergeBuffer = new Int32Array(T * retro);
    this.newIntervals = new Int32Array(T * retro);
  }

  /**
   * Scans one data set: case i is at caseLocation[i] in caseInterval[i], for i < count. Returns the
   * largest LLR (0 when no cylinder qualifies). A prospective scan may be given only the cases inside
   * the longest window; a retrospective one needs them all.
   */
  scan(caseLocation: Int32Array, caseInterval: Int32Array, count: number): number {
    this.bests.llr.fill(0);
    this.bests.size.fill(0);
    if (this.p.prospective) this.scanProspective(caseLocation, caseInterval, count);
    else this.scanRetrospective(caseLocation, caseInterval);
    let max = 0;
    for (const v of this.bests.llr) if (v > max) max = v;
    return max;
  }

  private scanProspective(caseLocation: Int32Array, caseInterval: Int32Array, count: number): void {
    const { locationCount: L, intervalCount: T, maxWindow: D, totalCases: C, minCases, locationTotals, zoneStart, zoneMembers, xLnX } = this.p;
    const { bests, timeWindowCases, lnTimeWindowCases, zoneWindowCases, lnExpected, lnRestExpected } = this;
    const cum = this.locationWindowCases;
    cum.fill(0);
    // cum[j·D + d] = cases at location j in the last d+1 intervals.
    for (let i = 0; i < count; i++) {
      const age = T - 1 - caseInterval[i]!;
      if (age < D) cum[caseLocation[i]! * D + age]!++;
    }
    for (let j = 0; j < L; j++) {
      const base = j * D;
      for (let d = 1; d < D; d++) cum[base + d]! += cum[base + d - 1]!;
    }
    const lnC = Math.log(C);
    for (let centre = 0; centre < L; centre++) {
      zoneWindowCases.fill(0);
      let zoneCases = 0;
      let best = 0;
      for (let k = zoneStart[centre]!, end = zoneStart[centre + 1]!; k < end; k++) {
        const j = zoneMembers[k]!;
        zoneCases += locationTotals[j]!;
        const base = j * D;
        for (let d = 0; d < D; d++) zoneWindowCases[d]! += cum[base + d]!;
        if (zoneCases === 0) continue;
        const share = zoneCases / C;
        const lnShare = Math.log(zoneCases) - lnC;
        for (let d = 0; d < D; d++) {
          const c = zoneWindowCases[d]!;
          if (c < minCases) continue;
          const mu = share * timeWindowCases[d]!;
          if (c <= mu) continue;
          const rest = C - c;
          const llr = lnExpected !== null
            ? xLnX[c]! - c * lnExpected[k * D + d]! + (rest > 0 ? xLnX[rest]! - rest * lnRestExpected![k * D + d]! : 0)
            : xLnX[c]! - c * (lnShare + lnTimeWindowCases[d]!) + (rest > 0 ? xLnX[rest]! - rest * Math.log(C - mu) : 0);
          if (llr > best) {
            best = llr;
            bests.size[centre] = k - zoneStart[centre]! + 1;
            bests.firstInterval[centre] = T - 1 - d;
            bests.lastInterval[centre] = T - 1;
          }
        }
      }
      bests.llr[centre] = best;
    }
  }

  /**
   * Any window of at most D intervals. The best window of a zone starts and ends on intervals
   * where the zone has cases (trimming empty ends lowers μ and keeps c), so only those pairs are tried.
   */
  private scanRetrospective(caseLocation: Int32Array, caseInterval: Int32Array): void {
    const { locationCount: L, maxWindow: D, totalCases: C, minCases, locationTotals, zoneStart, zoneMembers, xLnX, casesBefore } = this.p;
    const { bests, locationOffset, locationFill, casesByLocation, intervalFill, zoneIntervalCases, newIntervals } = this;
    // Counting sort by interval, then bucket by location: each location's intervals come out sorted.
    for (let t = 0; t < intervalFill.length; t++) intervalFill[t] = casesBefore[t]!;
    const byTime = this.casesByTime;
    for (let i = 0; i < C; i++) byTime[intervalFill[caseInterval[i]!]!++] = i;
    locationFill.set(locationOffset.subarray(0, L));
    for (let r = 0; r < C; r++) {
      const i = byTime[r]!;
      casesByLocation[locationFill[caseLocation[i]!]!++] = caseInterval[i]!;
    }
    for (let centre = 0; centre < L; centre++) {
      let m = 0;
      let zoneCases = 0;
      let best = 0;
      let zoneIntervals = this.zoneIntervals;
      for (let k = zoneStart[centre]!, end = zoneStart[centre + 1]!; k < end; k++) {
        const j = zoneMembers[k]!;
        zoneCases += locationTotals[j]!;
        let added = 0;
        for (let q = locationOffset[j]!, qEnd = locationOffset[j + 1]!; q < qEnd; q++) {
          const t = casesByLocation[q]!;
          if (zoneIntervalCases[t] === 0) newIntervals[added++] = t;
          zoneIntervalCases[t]!++;
        }
        if (added > 0) m = this.mergeInto(m, added);
        zoneIntervals = this.zoneIntervals;
        if (zoneCases === 0) continue;
        const share = zoneCases / C;
        for (let a = 0; a < m; a++) {
          const s = zoneIntervals[a]!;
          const before = casesBefore[s]!;
          let c = 0;
          for (let b = a; b < m; b++) {
            const e = zoneIntervals[b]!;
            if (e - s >= D) break;
            c += zoneIntervalCases[e]!;
            if (c < minCases) continue;
            const mu = share * (casesBefore[e + 1]! - before);
            if (c <= mu) continue;
            const rest = C - c;
            const llr = xLnX[c]! - c * Math.log(mu) + (rest > 0 ? xLnX[rest]! - rest * Math.log(C - mu) : 0);
            if (llr > best) {
              best = llr;
              bests.size[centre] = k - zoneStart[centre]! + 1;
              bests.firstInterval[centre] = s;
              bests.lastInterval[centre] = e;
            }
          }
        }
      }
      for (let a = 0; a < m; a++) zoneIntervalCases[zoneIntervals[a]!] = 0;
      bests.llr[centre] = best;
    }
  }

  /** Merges the sorted new intervals into the zone's sorted interval list; returns the new length. */
  private mergeInto(m: number, added: number): number {
    const from = this.zoneIntervals;
    const to = this.mergeBuffer;
    const extra = this.newIntervals;
    let a = 0;
    let b = 0;
    let n = 0;
    while (a < m && b < added) to[n++] = from[a]! < extra[b]! ? from[a++]! : extra[b++]!;
    while (a < m) to[n++] = from[a++]!;
    while (b < added) to[n++] = extra[b++]!;
    this.zoneIntervals = to;
    this.mergeBuffer = from;
    return n;
  }
}
