import { VIOLATION_TYPES } from '../../../src/modules/mrm/vocabulary.ts';
import { api, ApiError } from '../api/client.ts';
import type { IncidentSummary, Role, ViolationView } from '../api/types.ts';
import { admin1Of, type Reference } from '../reference.ts';
import { blurPoint, POINT_GRID_DEGREES, type MapPoint } from '../components/area-map.tsx';

/** The dashboard's four breakdowns, keyed by code (type, YYYY-MM, party category, admin-1 P-code). */
export interface Breakdown {
  source: 'report' | 'records';
  byType: Record<string, number | null>;
  byMonth: Record<string, number | null>;
  byPerpetratorCategory: Record<string, number | null>;
  byAdmin1: Record<string, number | null>;
  totalVerified: number | null;
  children: number | null;
  suppressed: boolean;
}

const REPORT_ROLES: readonly Role[] = ['analyst', 'verifier', 'admin'];
const MAX_PAGES = 50;

/**
 * Verified figures come from the annual report (the counting rules live on the server). A role that
 * reads no reports (a monitor) sees counts of the records it can see instead, all statuses.
 */
export async function loadBreakdown(role: Role, year: number, ref: Reference): Promise<Breakdown> {
  if (REPORT_ROLES.includes(role)) {
    try {
      // Analysts receive only the disclosure-controlled form: asking for the other is refused (403).
      const r = await api.annualReport(year, role === 'analyst');
      const byType = Object.fromEntries(Object.entries(r.by_type).map(([k, v]) => [k, v.count]));
      const suppressed = (r.disclosure?.suppressed_cells ?? 0) > 0;
      return { source: 'report', byType, byMonth: r.by_month, byPerpetratorCategory: r.by_perpetrator_category, byAdmin1: r.by_admin1, totalVerified: r.total_verified, children: r.children_verified, suppressed };
    } catch (err) {
      // Until the reports module is deployed the route is 404: fall back to the records.
      if (!(err instanceof ApiError) || (err.status !== 404 && err.status !== 403)) throw err;
    }
  }
  return fromRecords(year, ref);
}

async function fromRecords(year: number, ref: Reference): Promise<Breakdown> {
  const range = { from: `${year}-01-01`, to: `${year}-12-31`, limit: 200 };
  const incidents: IncidentSummary[] = [];
  const violations: ViolationView[] = [];
  for (let cursor: string | null | undefined, i = 0; cursor !== null && i < MAX_PAGES; i++) {
    const page = await api.listIncidents({ ...range, ...(cursor && { cursor }) });
    incidents.push(...page.items);
    cursor = page.next_cursor;
  }
  for (let cursor: string | null | undefined, i = 0; cursor !== null && i < MAX_PAGES; i++) {
    const page = await api.listViolations({ ...range, ...(cursor && { cursor }) });
    violations.push(...page.items);
    cursor = page.next_cursor;
  }
  const incidentById = new Map(incidents.map((x) => [x.id, x]));
  const add = (m: Record<string, number | null>, k: string, n = 1) => { m[k] = (m[k] ?? 0) + n; };
  const out: Breakdown = { source: 'records', byType: {}, byMonth: {}, byPerpetratorCategory: {}, byAdmin1: {}, totalVerified: 0, children: 0, suppressed: false };
  for (const type of VIOLATION_TYPES) out.byType[type] = 0;
  for (const v of violations) {
    add(out.byType, v.type);
    out.children = (out.children ?? 0) + v.totals.total;
    if (v.verification.final.status === 'verified') out.totalVerified = (out.totalVerified ?? 0) + 1;
    const incident = incidentById.get(v.incident_id);
    if (incident) {
      add(out.byMonth, incident.date.start.slice(0, 7));
      const a1 = admin1Of(ref, incident.location.admin_pcode);
      add(out.byAdmin1, a1?.pcode ?? incident.location.admin_pcode);
    }
    const categories = new Set(v.perpetrators.map((p) => ref.partyById.get(p.party_id)?.category ?? 'unknown'));
    if (categories.size === 0) categories.add('unknown');
    for (const c of categories) add(out.byPerpetratorCategory, c);
  }
  return out;
}

/**
 * The points of the incidents of `year` the actor can see, snapped to the role's grid; null for a
 * role that sees areas only (the server still decides which records are listed at all).
 */
export async function loadPoints(role: Role, year: number): Promise<{ points: MapPoint[]; gridDegrees: number } | null> {
  const grid = POINT_GRID_DEGREES[role];
  if (grid === undefined) return null;
  const points: MapPoint[] = [];
  for (let cursor: string | null | undefined, i = 0; cursor !== null && i < MAX_PAGES; i++) {
    const page = await api.listIncidents({ from: `${year}-01-01`, to: `${year}-12-31`, limit: 200, ...(cursor && { cursor }) });
    for (const x of page.items) if (x.location.coordinates) points.push(blurPoint(x.location.coordinates, grid));
    cursor = page.next_cursor;
  }
  return { points, gridDegrees: grid };
}
