import { VIOLATION_TYPES, type ViolationType } from '../vocabulary.ts';
import { isGrave, isGraveVictimType, isVictimCounted, type AgeBand, type Report } from './counting.ts';
import { cellThreshold, DEFAULT_DISCLOSURE, suppressCells, type Cell, type DisclosureConfig, type Geography, type Relation } from './disclosure.ts';
import type { Period } from './periods.ts';

/** A figure as published: null when suppressed. */
export type Published = number | null;

export interface PublicReport {
  period: Period;
  total_verified: Published;
  committed_in_period: Published;
  late_verified: Published;
  children_verified: Published;
  by_type: Record<ViolationType, { count: Published; boys: Published; girls: Published; sex_unknown: Published }>;
  by_perpetrator_category: Record<string, Published>;
  by_country: Record<string, Published>;
  by_party: Record<string, Published>;
  by_admin1: Record<string, Published>;
  by_age_band: Record<AgeBand, Published>;
  by_month: Record<string, Published>;
  disclosure: { threshold: number; sexual_violence_below_admin1: number; suppressed_cells: number; note: string };
}

const BREAKDOWNS = ['by_perpetrator_category', 'by_country', 'by_party', 'by_admin1', 'by_age_band', 'by_month'] as const;
type Breakdown = (typeof BREAKDOWNS)[number];
const GEOGRAPHY: Record<Breakdown, Geography> = {
  by_perpetrator_category: 'mission', by_country: 'country', by_party: 'mission', by_admin1: 'admin1', by_age_band: 'mission', by_month: 'mission',
};

/** Every published cell of a report, with its threshold, and the relations a reader can rely on. */
export function reportTables(report: Report, config: DisclosureConfig): { cells: Cell[]; relations: Relation[] } {
  const cells: Cell[] = [];
  const cell = (id: string, value: number, sexualViolence = false, geography: Geography = 'mission') =>
    cells.push({ id, value, threshold: cellThreshold(config, { sexualViolence, geography }) });
  const term = (id: string, coef = 1) => ({ id, coef });
  const relations: Relation[] = [];

  cell('total_verified', report.total_verified);
  cell('late_verified', report.late_verified);
  cell('committed_in_period', report.committed_in_period);
  cell('children_verified', report.children_verified);
  relations.push({ terms: [term('late_verified'), term('committed_in_period'), term('total_verified', -1)] });

  for (const t of VIOLATION_TYPES) {
    const f = report.by_type[t];
    const sv = t === 'sexual_violence';
    for (const k of ['count', 'boys', 'girls', 'sex_unknown'] as const) cell(`by_type.${t}.${k}`, f[k], sv);
    if (isVictimCounted(t)) {
      relations.push({ terms: [term(`by_type.${t}.boys`), term(`by_type.${t}.girls`), term(`by_type.${t}.sex_unknown`), term(`by_type.${t}.count`, -1)] });
    }
  }
  relations.push({ terms: [...VIOLATION_TYPES.filter(isGrave).map((t) => term(`by_type.${t}.count`)), term('total_verified', -1)] });

  for (const b of BREAKDOWNS) {
    const entries = Object.entries(report[b]) as [string, number][];
    for (const [k, v] of entries) cell(`${b}.${k}`, v, false, GEOGRAPHY[b]);
    const sum = entries.reduce((n, [, v]) => n + v, 0);
    if (b === 'by_age_band') {
      relations.push({ terms: [...entries.map(([k]) => term(`${b}.${k}`)), ...VIOLATION_TYPES.filter(isGraveVictimType).map((t) => term(`by_type.${t}.count`, -1))] });
    } else if (sum === report.total_verified) {
      // Joint attributions make party and category columns add up to more than the total; when they
      // happen to add up exactly, a reader may assume they do, so the relation is protected anyway.
      relations.push({ terms: [...entries.map(([k]) => term(`${b}.${k}`)), term('total_verified', -1)] });
    }
  }
  return { cells, relations };
}

/** The report as it may be published: small cells and the cells that would give them away are null. */
export function publicReport(report: Report, config: DisclosureConfig = DEFAULT_DISCLOSURE): PublicReport {
  const { cells, relations } = reportTables(report, config);
  const { suppressed, unprotected } = suppressCells(cells, relations);
  // Never expected: if a cell could not be protected, the whole report goes dark rather than leak it.
  const hidden = unprotected.size > 0 ? new Set(cells.map((c) => c.id)) : suppressed;
  const show = (id: string, value: number): Published => (hidden.has(id) ? null : value);
  const pick = <T extends object>(prefix: string, record: T) =>
    Object.fromEntries(Object.entries(record).map(([k, v]) => [k, show(`${prefix}.${k}`, v as number)])) as Record<keyof T, Published>;
  return {
    period: report.period,
    total_verified: show('total_verified', report.total_verified),
    committed_in_period: show('committed_in_period', report.committed_in_period),
    late_verified: show('late_verified', report.late_verified),
    children_verified: show('children_verified', report.children_verified),
    by_type: Object.fromEntries(VIOLATION_TYPES.map((t) => [t, pick(`by_type.${t}`, report.by_type[t])])) as PublicReport['by_type'],
    by_perpetrator_category: pick('by_perpetrator_category', report.by_perpetrator_category),
    by_country: pick('by_country', report.by_country),
    by_party: pick('by_party', report.by_party),
    by_admin1: pick('by_admin1', report.by_admin1),
    by_age_band: pick('by_age_band', report.by_age_band),
    by_month: pick('by_month', report.by_month),
    disclosure: {
      threshold: config.threshold,
      sexual_violence_below_admin1: config.sexualViolenceBelowAdmin1,
      suppressed_cells: hidden.size,
      note: `null = suppressed: values from 1 to ${config.threshold - 1}, and the further cells that would let them be worked out from totals`,
    },
  };
}
