import type { PairExplanation } from './engine/index.ts';
import { parseRef, type CaseFactsRow } from './records.ts';
import type { FieldBits } from './repository.ts';

/** What leaves the server: per-field levels and bits, record references, pseudonyms; never a name or a date of birth. */
export function fieldBits(explanation: PairExplanation): FieldBits[] {
  return explanation.fields.map((f) => ({ comparison: f.comparison, level: f.label, bits: Math.round(f.weight * 100) / 100 }));
}

const iso = (d: Date | string) => new Date(d).toISOString();

export function presentQueueItem(r: { left_ref: string; right_ref: string; probability: number; match_weight: number; review_reason: string | null; explanation: FieldBits[]; decision: string | null }) {
  return {
    left_ref: r.left_ref, right_ref: r.right_ref, probability: r.probability, match_weight: r.match_weight,
    uncertainty: Math.round((0.5 - Math.abs(r.probability - 0.5)) * 1e6) / 1e6,
    reason: r.review_reason, earlier_decision: r.decision === 'unsure' ? 'unsure' as const : null, fields: r.explanation,
  };
}

export function presentLinks(caseId: string, clusterId: string | null,
  members: { record_ref: string; since: Date | string; probability: number | null }[], cases: CaseFactsRow[],
  victims: { violation_id: string; victim_ref: string; identity_index: string | null; type: string; incident_id: string; date_start: string }[],
  history: { record_ref: string; from_cluster: string | null; to_cluster: string; cause: 'run' | 'merge' | 'unmerge'; actor_id: string; recorded_at: Date | string }[]) {
  const agency = new Map(cases.map((c) => [c.case_id, c.agency]));
  const out = { case_id: caseId, cluster_id: clusterId, cases: [] as { case_id: string; agency: string; probability: number | null; since: string }[],
    victims: [] as { victim_pseudonym: string | null; violation_id: string; violation_type: string; incident_id: string; incident_date: string; probability: number | null; since: string }[],
    history: history.map((h) => ({ record_ref: h.record_ref, from_cluster: h.from_cluster, to_cluster: h.to_cluster, cause: h.cause, by: h.actor_id, at: iso(h.recorded_at) })) };
  for (const m of members) {
    const ref = parseRef(m.record_ref);
    if (ref?.kind === 'case') {
      if (ref.caseId !== caseId) out.cases.push({ case_id: ref.caseId, agency: agency.get(ref.caseId) ?? '', probability: m.probability, since: iso(m.since) });
    } else if (ref?.kind === 'victim') {
      const v = victims.find((x) => x.violation_id === ref.violationId && x.victim_ref === ref.victimRef);
      if (v) out.victims.push({ victim_pseudonym: v.identity_index, violation_id: v.violation_id, violation_type: v.type, incident_id: v.incident_id, incident_date: String(v.date_start), probability: m.probability, since: iso(m.since) });
    }
  }
  return out;
}
