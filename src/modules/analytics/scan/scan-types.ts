/** Public shapes of the space-time permutation scan: what goes in, what comes out. */

/**
 * A place that can hold cases. For `distance: 'great-circle'` the coordinates are
 * [latitude, longitude] in degrees (SaTScan's lat/long order); for `'cartesian'` they are [x, y].
 */
export interface ScanLocation {
  id: string;
  coordinates: readonly [number, number];
}

/** `count` cases at a location at one time (an integer in the caller's base unit: day number, generic unit). */
export interface ScanCase {
  location: number;
  time: number;
  count?: number;
}

export type MaxTemporalSize = { percentOfStudyPeriod: number } | { units: number };

export interface SpaceTimeScanOptions {
  distance: 'cartesian' | 'great-circle';
  /** Inclusive bounds of the study period in base units; every case time must fall inside. */
  studyStart: number;
  studyEnd: number;
  /** Base units per time interval (SaTScan's time aggregation length). Default 1. */
  timeAggregationLength?: number;
  /** A zone may hold at most this share of all cases (SaTScan's "% of population at risk"). Default 50. */
  maxSpatialPercentOfCases?: number;
  /** Optional cap on the circle radius, in coordinate units (km for great-circle). */
  maxRadius?: number;
  /** Default: 50 % of the study period, SaTScan's default. */
  maxTemporalSize?: MaxTemporalSize;
  /** Only windows that end with the study period (daily surveillance). Default false. */
  prospective?: boolean;
  /** Smallest number of cases a cluster may hold. Default 2, as SaTScan. */
  minCases?: number;
  /** Monte Carlo replications. Default 999; 0 skips inference. */
  replications?: number;
  seed?: number;
  /**
   * Besag–Clifford sequential stopping as SaTScan's "early termination": stop once this many
   * replicates reached the observed statistic and report p = threshold / replicates run.
   */
  sequentialThreshold?: number;
  /** Worker threads for the replications; 'auto' uses them only when the run is long enough to pay for start-up. */
  workers?: number | 'auto';
  /** Report at most this many clusters (most likely first). Default: all that qualify. */
  maxClusters?: number;
}

export interface ScanCluster {
  /** Index of the centre location; `locations` lists the zone, centre first, in order of distance. */
  centre: number;
  locations: number[];
  radius: number;
  /** Inclusive time frame in base units. */
  startTime: number;
  endTime: number;
  observed: number;
  expected: number;
  llr: number;
  relativeRisk: number;
  /** null when no replications were run. */
  pValue: number | null;
  /** Prospective only: base units between signals this strong under the null (one analysis per interval). */
  recurrenceInterval: number | null;
  /** Indices into the input case array whose location and time fall inside the cylinder. */
  caseIndices: number[];
}

export interface SpaceTimeScanResult {
  clusters: ScanCluster[];
  totalCases: number;
  intervalCount: number;
  maxTemporalIntervals: number;
  replicationsRequested: number;
  /** Replications actually run (fewer when sequential stopping ended the run). */
  replications: number;
  /** Maximum LLR of each replication, in replication order (for Gumbel fits or audits). */
  replicateMaxima: Float64Array;
  workersUsed: number;
}
