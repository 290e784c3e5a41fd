import { sql, type Kysely } from 'kysely';
import type { RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { ensure } from '../../platform/errors.ts';
import { careDb, dateOf } from './care-repository.ts';
import { ageNow } from './consent.ts';
import { computeIndicators, type ReleasedChild } from './indicators.ts';
import { caseSettings, daysBetween, today } from './settings.ts';

/**
 * The indicators as a report. Analysts and supervisors read the mission's figures under disclosure control;
 * a supervisor may ask for the whole (unsuppressed) figures of their own agency's cases. No row of a child
 * leaves: only counts, rates and medians.
 */
export const INDICATOR_ROLES = ['analyst', 'supervisor'] as const;

export function caseIndicators(db: Kysely<DB>, ctx: RequestContext, q: { released_from?: string | undefined; released_to?: string | undefined; whole?: 'true' | 'false' | undefined }, now = new Date()) {
  const a = ctx.actor;
  ensure((INDICATOR_ROLES as readonly string[]).includes(a.role), 'permission.denied', { rule: 'indicators are for analysts and supervisors' });
  const whole = q.whole === 'true';
  ensure(!whole || (a.role === 'supervisor' && a.scope.agency), 'permission.denied', { field: 'whole', rule: 'unsuppressed figures are for a supervisor, of their agency\'s cases' });
  ensure(!q.released_from || !q.released_to || q.released_from <= q.released_to, 'request.invalid', { field: 'released_to', rule: 'not before released_from' });
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    const k = careDb(uow.trx);
    const agency = whole ? a.scope.agency : null;
    // The cohort: children whose release falls in the period (and in the agency, for whole figures).
    const cohort = () => k.selectFrom('case_releases as r')
      .innerJoin('cases as c', (j) => j.onRef('c.mission_id', '=', 'r.mission_id').onRef('c.case_id', '=', 'r.case_id'))
      .where('r.mission_id', '=', a.missionId)
      .$if(agency !== null, (s) => s.where('c.agency', '=', agency!))
      .$if(q.released_from !== undefined, (s) => s.where('r.encountered_at', '>=', new Date(`${q.released_from}T00:00:00Z`)))
      .$if(q.released_to !== undefined, (s) => s.where('r.encountered_at', '<', new Date(Date.parse(`${q.released_to}T00:00:00Z`) + 86_400_000)));
    const [released, components, recruited] = await Promise.all([
      cohort()
        .leftJoin('parties as p', (j) => j.onRef('p.mission_id', '=', 'r.mission_id').onRef('p.party_id', '=', 'r.party_id'))
        .leftJoin('case_reunifications as u', (j) => j.onRef('u.mission_id', '=', 'r.mission_id').onRef('u.case_id', '=', 'r.case_id'))
        .select(['c.case_id', 'c.sex', 'c.age_years', 'c.age_as_of', 'p.name as party', 'r.exit_mode', 'r.encountered_at', 'r.handed_over_at', 'r.handover_due_at', 'u.outcome'])
        .execute(),
      cohort().innerJoin('case_reintegration_components as k', (j) => j.onRef('k.mission_id', '=', 'r.mission_id').onRef('k.case_id', '=', 'r.case_id'))
        .select(['k.case_id', 'k.component_type', 'k.status']).execute(),
      // New verified recruitment of a released child: its blind index on a victim after the release.
      cohort()
        .innerJoin('violation_victims as w', (j) => j.onRef('w.mission_id', '=', 'c.mission_id').onRef('w.identity_index', '=', 'c.identity_index'))
        .innerJoin('violations as v', (j) => j.onRef('v.mission_id', '=', 'w.mission_id').onRef('v.violation_id', '=', 'w.violation_id'))
        .innerJoin('incidents as i', (j) => j.onRef('i.mission_id', '=', 'v.mission_id').onRef('i.incident_id', '=', 'v.incident_id'))
        .select(['c.case_id', 'i.date_start']).where('v.type', '=', 'recruitment_use').where('v.status_final', '=', 'verified')
        .where(sql<boolean>`i.date_start >= cast(r.encountered_at as date)`).execute(),
    ]);
    const byCase = <T extends { case_id: string }>(rows: T[]) => rows.reduce((m, r) => m.set(r.case_id, [...(m.get(r.case_id) ?? []), r]), new Map<string, T[]>());
    const comps = byCase(components);
    const recs = byCase(recruited);
    const children: ReleasedChild[] = released.map((r) => ({
      case_id: r.case_id, sex: r.sex, age: ageNow(r.age_years, r.age_as_of, new Date(r.encountered_at)), party: r.party, exit_mode: r.exit_mode,
      encountered_at: new Date(r.encountered_at), handed_over_at: r.handed_over_at === null ? null : new Date(r.handed_over_at), handover_due_at: new Date(r.handover_due_at),
      reunification: (r.outcome as ReleasedChild['reunification']) ?? null,
      components: (comps.get(r.case_id) ?? []).map((c) => ({ type: c.component_type, status: c.status })),
      recruited_on: (recs.get(r.case_id) ?? []).map((x) => String(x.date_start)),
    }));
    const todayStr = today(now);
    const [icc, visits, closures] = await Promise.all([
      k.selectFrom('case_interim_care as p').innerJoin('cases as c', (j) => j.onRef('c.mission_id', '=', 'p.mission_id').onRef('c.case_id', '=', 'p.case_id'))
        .select(['p.admitted_on', 'p.left_on']).where('p.mission_id', '=', a.missionId).where('p.care_type', '=', 'interim_care_centre')
        .$if(agency !== null, (s) => s.where('c.agency', '=', agency!)).execute(),
      k.selectFrom('case_followups as f').innerJoin('cases as c', (j) => j.onRef('c.mission_id', '=', 'f.mission_id').onRef('c.case_id', '=', 'f.case_id'))
        .select(['f.due_on', 'f.visited_on', 'f.child_seen']).where('f.mission_id', '=', a.missionId)
        .$if(agency !== null, (s) => s.where('c.agency', '=', agency!)).execute(),
      k.selectFrom('cases as c').select(['c.closure_reason']).where('c.mission_id', '=', a.missionId).where('c.status', '=', 'closed')
        .$if(agency !== null, (s) => s.where('c.agency', '=', agency!)).execute(),
    ]);
    const s = caseSettings();
    const result = computeIndicators({
      released: children,
      iccStays: icc.map((p) => ({ days: daysBetween(dateOf(p.admitted_on)!, dateOf(p.left_on) ?? todayStr) })),
      visits: visits.map((v) => ({ due_on: dateOf(v.due_on)!, visited_on: dateOf(v.visited_on), child_seen: v.child_seen })),
      closures: closures.map((c) => ({ reason: c.closure_reason })),
      today: todayStr,
    }, { threshold: s.disclosureThreshold, iccWeeks: s.interimCareAlertWeeks[0]!, disclose: !whole });
    uow.audit({ action: 'case.indicators', details: { whole, released_from: q.released_from ?? null, released_to: q.released_to ?? null } });
    return { scope: whole ? `agency ${agency}` : 'mission', released_from: q.released_from ?? null, released_to: q.released_to ?? null, ...result };
  });
}
