/**
 * The hot loop: every cylinder (zone × time window) of one data set, observed or permuted, keeping
 * the best cylinder of each centre. The maximum over centres is the scan statistic; the per-centre
 * bests are what SaTScan ranks to report secondary clusters.
 *
 * Most cylinders cannot beat the best LLR found so far, and a cheap upper bound without logarithms
 * says so: with c > μ, (C − c)·ln((C − c)/(C − μ)) ≤ −(C − c)(c − μ)/C (ln x ≤ x − 1, C − μ ≤ C),
 * and c·ln(c/μ) comes from a c·ln c table and ln μ = ln(zone cases) + ln(window cases) − ln C.
 * Only cylinders whose bound reaches the best get the exact LLR. The observed scan bounds against
 * each centre's own best (so every centre's best is exact, for secondary clusters); a replication
 * needs only the maximum and bounds against the best of all centres so far.
 */
import type { PreparedScan } from './scan-setup.ts';

/** Floating-point slack on the bound: the bound and the exact LLR round differently. */
const BOUND_SLACK = 1e-7;

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
  private readonly zoneWindowCases: Int32Array;
  /** lnCount[w] = ln w for window totals (retrospective windows are not tabulated per d). */
  private readonly lnCount: Float64Array;
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
    this.zoneWindowCases = new Int32Array(p.prospective ? D : 0);
    const retro = p.prospective ? 0 : 1;
    this.lnCount = new Float64Array(retro * (p.totalCases + 1));
    for (let w = 0; w < this.lnCount.length; w++) this.lnCount[w] = Math.log(w);
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
   * Scans one data set: case i is at caseLocation[i] in caseInterval[i], for i < count. Fills
   * `bests` for every centre and returns the largest LLR (0 when no cylinder qualifies). A
   * prospective scan may be given only the cases inside the longest window; a retrospective one
   * needs them all.
   */
  scan(caseLocation: Int32Array, caseInterval: Int32Array, count: number): number {
    return this.run(caseLocation, caseInterval, count, false);
  }

  /** As `scan`, for a replication: returns only the maximum LLR (exact); `bests` is left meaningless. */
  scanMax(caseLocation: Int32Array, caseInterval: Int32Array, count: number): number {
    return this.run(caseLocation, caseInterval, count, true);
  }

  private run(caseLocation: Int32Array, caseInterval: Int32Array, count: number, maxOnly: boolean): number {
    this.bests.llr.fill(0);
    this.bests.size.fill(0);
    const max = this.p.prospective
      ? this.scanProspective(caseLocation, caseInterval, count, maxOnly)
      : this.scanRetrospective(caseLocation, caseInterval, maxOnly);
    if (maxOnly) return max;
    let best = 0;
    for (const v of this.bests.llr) if (v > best) best = v;
    return best;
  }

  private scanProspective(caseLocation: Int32Array, caseInterval: Int32Array, count: number, maxOnly: boolean): number {
    const { locationCount: L, intervalCount: T, maxWindow: D, totalCases: C, minCases, locationTotals, zoneStart, zoneMembers, xLnX } = this.p;
    const { bests, timeWindowCases, lnTimeWindowCases, zoneWindowCases } = this;
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
    const invC = 1 / C;
    let overall = 0;
    for (let centre = 0; centre < L; centre++) {
      zoneWindowCases.fill(0);
      let zoneCases = 0;
      let best = maxOnly ? overall : 0;
      let bestK = -1;
      let bestD = 0;
      for (let k = zoneStart[centre]!, end = zoneStart[centre + 1]!; k < end; k++) {
        const j = zoneMembers[k]!;
        zoneCases += locationTotals[j]!;
        const base = j * D;
        if (zoneCases === 0) continue;
        const lnShare = Math.log(zoneCases) - lnC;
        for (let d = 0; d < D; d++) {
          const c = (zoneWindowCases[d]! += cum[base + d]!);
          if (c < minCases) continue;
          // c ≤ μ without a division: both sides are integers far below 2^53.
          const zoneByWindow = zoneCases * timeWindowCases[d]!;
          if (c * C <= zoneByWindow) continue;
          const rest = C - c;
          if (xLnX[c]! - c * (lnShare + lnTimeWindowCases[d]!) - (c - zoneByWindow * invC) * rest * invC + BOUND_SLACK <= best) continue;
          const mu = zoneByWindow / C;
          const llr = xLnX[c]! - c * Math.log(mu) + (rest > 0 ? xLnX[rest]! - rest * Math.log(C - mu) : 0);
          if (llr > best) {
            best = llr;
            bestK = k;
            bestD = d;
          }
        }
      }
      if (maxOnly) overall = best;
      else if (bestK >= 0) {
        bests.llr[centre] = best;
        bests.size[centre] = bestK - zoneStart[centre]! + 1;
        bests.firstInterval[centre] = T - 1 - bestD;
        bests.lastInterval[centre] = T - 1;
      }
    }
    return overall;
  }

  /**
   * Any window of at most D intervals. The best window of a zone starts and ends on intervals
   * where the zone has cases (trimming empty ends lowers μ and keeps c), so only those pairs are tried.
   */
  private scanRetrospective(caseLocation: Int32Array, caseInterval: Int32Array, maxOnly: boolean): number {
    const { locationCount: L, maxWindow: D, totalCases: C, minCases, locationTotals, zoneStart, zoneMembers, xLnX, casesBefore } = this.p;
    const { bests, locationOffset, locationFill, casesByLocation, intervalFill, zoneIntervalCases, newIntervals, lnCount } = this;
    const lnC = Math.log(C);
    let overall = 0;
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
      let best = maxOnly ? overall : 0;
      let bestK = -1;
      let bestFirst = 0;
      let bestLast = 0;
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
        const lnShare = Math.log(zoneCases) - lnC;
        for (let a = 0; a < m; a++) {
          const s = zoneIntervals[a]!;
          const before = casesBefore[s]!;
          let c = 0;
          for (let b = a; b < m; b++) {
            const e = zoneIntervals[b]!;
            if (e - s >= D) break;
            c += zoneIntervalCases[e]!;
            if (c < minCases) continue;
            const window = casesBefore[e + 1]! - before;
            const mu = share * window;
            if (c <= mu) continue;
            const rest = C - c;
            if (xLnX[c]! - c * (lnShare + lnCount[window]!) - ((c - mu) * rest) / C + BOUND_SLACK <= best) continue;
            const llr = xLnX[c]! - c * Math.log(mu) + (rest > 0 ? xLnX[rest]! - rest * Math.log(C - mu) : 0);
            if (llr > best) {
              best = llr;
              bestK = k;
              bestFirst = s;
              bestLast = e;
            }
          }
        }
      }
      for (let a = 0; a < m; a++) zoneIntervalCases[zoneIntervals[a]!] = 0;
      if (maxOnly) overall = best;
      else if (bestK >= 0) {
        bests.llr[centre] = best;
        bests.size[centre] = bestK - zoneStart[centre]! + 1;
        bests.firstInterval[centre] = bestFirst;
        bests.lastInterval[centre] = bestLast;
      }
    }
    return overall;
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
