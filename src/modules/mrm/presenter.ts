import type { Actor } from '../../platform/context.ts';
import { permittedIncidentActions, permittedViolationActions, pointAllowance, type IncidentFacts } from './policy.ts';
import type { IncidentRow, ViolationChildren, ViolationRow } from './repository.ts';
import type { IncidentView, ViolationView } from './schema.ts';
import type { openIdentities } from './sealed-fields.ts';
import { AGE_BANDS } from './vocabulary.ts';

// Orders are fixed here, not by the database's collation, so PGlite and PostgreSQL answer alike.
const byText = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
const bandOrder = (band: string) => AGE_BANDS.indexOf(band as (typeof AGE_BANDS)[number]);

/** What leaves the server. Rows never do: each field here is chosen. */
export function incidentFacts(row: { created_by: string; country_iso3: string; admin_pcode: string }): IncidentFacts {
  return { createdBy: row.created_by, countryIso3: row.country_iso3, adminPcode: row.admin_pcode };
}

/** Opened identities of one violation's victims and sources, by reference (sealed-fields.ts `openIdentities`). */
export type OpenedIdentities = Awaited<ReturnType<typeof openIdentities>>;

export function presentViolation(row: ViolationRow, children: ViolationChildren, actor: Actor, facts: IncidentFacts, identities?: OpenedIdentities): ViolationView {
  const totals = { boys: 0, girls: 0, sex_unknown: 0, total: 0 };
  for (const t of children.tallies) {
    totals.boys += t.boys;
    totals.girls += t.girls;
    totals.sex_unknown += t.sex_unknown;
  }
  totals.total = totals.boys + totals.girls + totals.sex_unknown;
  return {
    id: row.violation_id,
    incident_id: row.incident_id,
    type: row.type as ViolationView['type'],
    details: row.details,
    crossfire: row.crossfire,
    crossborder: row.crossborder as ViolationView['crossborder'],
    tallies: [...children.tallies].sort((a, b) => bandOrder(a.age_band) - bandOrder(b.age_band)).map((t) => ({ age_band: t.age_band as ViolationView['tallies'][number]['age_band'], boys: t.boys, girls: t.girls, sex_unknown: t.sex_unknown })),
    totals,
    perpetrators: [...children.perpetrators].sort(byText((p) => p.party_id)).map((p) => ({ party_id: p.party_id, attribution_verified: p.attribution_verified })),
    victims: [...children.victims].sort(byText((v) => v.victim_ref)).map((v) => ({
      ref: v.victim_ref, sex: v.sex, age: v.age, age_estimated: v.age_estimated,
      ...(identities && { identity: identities.victims.get(v.victim_ref) ?? null }),
    })),
    sources: [...children.sources].sort(byText((x) => x.source_ref)).map((s) => ({
      ref: s.source_ref, category: s.category, type: s.source_type, un_trained_monitor: s.un_trained_monitor, reliability: s.reliability, credibility: s.credibility,
      ...(identities && { identity: identities.sources.get(s.source_ref) ?? null }),
    })),
    verification: {
      focal_point: { status: row.status_focal_point as ViolationView['verification']['final']['status'], date: row.date_focal_point },
      technical: { status: row.status_technical as ViolationView['verification']['final']['status'], date: row.date_technical },
      final: { status: row.status_final as ViolationView['verification']['final']['status'], date: row.date_final },
    },
    version: row.version,
    permitted_actions: permittedViolationActions(actor, facts),
  };
}

type Precision = 'exact' | 'approximate' | 'admin_centroid';
type Point = { latitude: number; longitude: number; precision: Precision };

/**
 * Snaps a point to the centre-aligned grid of `gridDegrees`: the same point always gives the same answer,
 * so averaging many responses reveals nothing finer than the grid.
 */
export function snapPoint(p: { latitude: number; longitude: number }, gridDegrees: number): { latitude: number; longitude: number } {
  const snap = (x: number, limit: number) => Math.max(-limit, Math.min(limit, Number((Math.round(x / gridDegrees) * gridDegrees).toFixed(6))));
  return { latitude: snap(p.latitude, 90), longitude: snap(p.longitude, 180) };
}

/** The incident's point as `actor` may be sent it (policy.ts `pointAllowance`); null when none. */
export function presentPoint(row: Pick<IncidentRow, 'latitude' | 'longitude' | 'coordinate_precision' | 'created_by' | 'country_iso3' | 'admin_pcode'>, actor: Actor, withConfidential: boolean): Point | null {
  if (row.latitude === null || row.longitude === null) return null;
  const precision = (row.coordinate_precision ?? 'approximate') as Precision;
  const allowed = pointAllowance(actor, incidentFacts(row), withConfidential, precision);
  if (allowed === null) return null;
  if (allowed.exact) return { latitude: row.latitude, longitude: row.longitude, precision };
  return { ...snapPoint({ latitude: row.latitude, longitude: row.longitude }, allowed.gridDegrees), precision: 'approximate' };
}

/**
 * True when `sent` is the point as this actor was shown it (snapped): an edit form sending back what it
 * read is not moving the point, and the stored exact point must stay.
 */
export function echoesShownPoint(row: Parameters<typeof presentPoint>[0], actor: Actor, sent: Point | null | undefined): boolean {
  if (!sent) return false;
  const shown = presentPoint(row, actor, false);
  return shown !== null && shown.latitude === sent.latitude && shown.longitude === sent.longitude && shown.precision === sent.precision;
}

function incidentCore(row: IncidentRow & { shredded_fields?: string[] }, actor: Actor, withConfidential: boolean) {
  return {
    id: row.incident_id,
    short_id: row.incident_id.slice(0, 8).toUpperCase(),
    mission_id: row.mission_id,
    status: row.status as IncidentView['status'],
    title: row.title,
    date: { start: row.date_start, end: row.date_end, precision: row.date_precision as IncidentView['date']['precision'], estimated: row.date_estimated },
    first_reported_on: row.first_reported_on,
    location: {
      admin_pcode: row.admin_pcode,
      country_iso3: row.country_iso3,
      location_type: row.location_type,
      coordinates: presentPoint(row, actor, withConfidential),
    },
    unavailable_fields: (row.shredded_fields ?? []) as IncidentView['unavailable_fields'],
    created_by: row.created_by,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    version: row.version,
    permitted_actions: permittedIncidentActions(actor, incidentFacts(row)),
  };
}

export function presentIncident(row: IncidentRow & { shredded_fields?: string[] }, violations: ViolationRow[], children: Map<string, ViolationChildren>, actor: Actor, withConfidential: boolean,
  identities?: Map<string, OpenedIdentities>): IncidentView {
  const facts = incidentFacts(row);
  return {
    ...incidentCore(row, actor, withConfidential),
    narrative: withConfidential ? { public: row.narrative_public, confidential: row.narrative_confidential } : { public: row.narrative_public },
    violations: [...violations].sort(byText((v) => v.violation_id)).map((v) => presentViolation(v, children.get(v.violation_id) ?? { tallies: [], perpetrators: [], victims: [], sources: [] }, actor, facts, identities?.get(v.violation_id))),
  };
}

export function presentIncidentSummary(row: IncidentRow & { shredded_fields?: string[] }, types: string[], actor: Actor) {
  return { ...incidentCore(row, actor, false), violation_types: types as IncidentView['violations'][number]['type'][] };
}

export function presentVerificationEvent(e: { event_id: string; level: string; from_status: string; to_status: string; status_date: string; note: string; actor_id: string; recorded_at: Date | string }) {
  type S = ViolationView['verification']['final']['status'];
  return {
    id: e.event_id, level: e.level as 'focal_point' | 'technical' | 'final', from_status: e.from_status as S, to_status: e.to_status as S,
    date: e.status_date, note: e.note, actor_id: e.actor_id, recorded_at: new Date(e.recorded_at).toISOString(),
  };
}
