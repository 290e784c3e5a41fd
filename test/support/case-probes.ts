import { randomUUID } from 'node:crypto';
import { careCaseEntry, componentEntry, placementEntry, recordConsent, registerCaseEntry, tracingEntry, visitEntry } from './case-probe-helpers.ts';
import type { Role } from '../../src/platform/context.ts';
import type { Probe, ProbeScope, World } from './route-table.ts';

/** Probes for the case-management routes (issue #8): in scope = a case of the actor's agency (UNICEF), out = another agency's. */
const tok = (w: World, role: Role) => w.actors[role].token;
async function caseFor(w: World, scope: ProbeScope, opts: { consent?: boolean; release?: boolean } = {}): Promise<string> {
  const agency = scope === 'out' ? 'SCI' : 'UNICEF';
  const worker = scope === 'out' ? randomUUID() : w.actors.case_worker.userId;
  const id = await registerCaseEntry(w.store.db, w.m.id, worker, agency);
  if (opts.consent) await recordConsent(w.store.db, w.m.id, worker, agency, id);
  if (opts.release) await w.app.inject({ method: 'POST', url: `/api/v1/cases/${id}/release`, headers: { authorization: `Bearer ${w.actors.case_worker.token}` }, payload: { encountered_at: new Date(Date.now() - 3600_000).toISOString(), exit_mode: 'escaped', encountered_by: 'patrol' } });
  return id;
}
/** A referral the role receives (in) or one between two other agencies (out). */
async function referralFor(w: World, role: Role, scope: ProbeScope, status: 'pending' | 'accepted' = 'pending'): Promise<string> {
  const { createReferralEntry } = await import('./case-probe-helpers.ts');
  return createReferralEntry(w.store.db, w.m.id, scope === 'out' ? 'MSF' : 'UNICEF', scope !== 'out' && (role === 'case_worker' || status === 'accepted') ? w.actors.case_worker.userId : null);
}

/** The in-scope worker (the world's case worker, agency UNICEF) or a stranger of another agency (SCI). */
const side = (w: World, scope: ProbeScope) => (scope === 'out' ? { worker: randomUUID(), agency: 'SCI' } : { worker: w.actors.case_worker.userId, agency: 'UNICEF' });
const today = () => new Date().toISOString().slice(0, 10);

export const caseProbes: Record<string, Probe> = {
  'POST /api/v1/cases': async (w, role) => ({ token: tok(w, role), url: '/api/v1/cases', payload: { child: { full_name: 'Probe Child', birth: { age_estimate: 16 } }, sex: 'female', risk_level: 'low', ...(role === 'supervisor' && { assigned_to: w.actors.case_worker.userId }) } }),
  'GET /api/v1/cases': async (w, role) => ({ token: tok(w, role), url: '/api/v1/cases' }),
  'GET /api/v1/cases/overdue': async (w, role) => ({ token: tok(w, role), url: '/api/v1/cases/overdue' }),
  'GET /api/v1/cases/caseload': async (w, role) => ({ token: tok(w, role), url: '/api/v1/cases/caseload' }),
  'GET /api/v1/cases/alerts': async (w, role) => ({ token: tok(w, role), url: '/api/v1/cases/alerts' }),
  'GET /api/v1/cases/:case_id': async (w, role, scope) => ({ token: tok(w, role), url: `/api/v1/cases/${await caseFor(w, scope)}` }),
  'PATCH /api/v1/cases/:case_id': async (w, role, scope) => ({ token: tok(w, role), url: `/api/v1/cases/${await caseFor(w, scope)}`, payload: { version: 1, risk_level: 'high' } }),
  'POST /api/v1/cases/:case_id/transitions': async (w, role, scope) => ({ token: tok(w, role), url: `/api/v1/cases/${await caseFor(w, scope)}/transitions`, payload: { version: 1, action: 'advance' } }),
  'POST /api/v1/cases/:case_id/consents': async (w, role, scope) => ({ token: tok(w, role), url: `/api/v1/cases/${await caseFor(w, scope)}/consents`, payload: { given_by: 'child', child_assent: 'not_applicable', for_services: true, for_reporting_non_identifiable: true, for_tracing: false } }),
  'GET /api/v1/cases/:case_id/consents': async (w, role, scope) => ({ token: tok(w, role), url: `/api/v1/cases/${await caseFor(w, scope, { consent: true })}/consents` }),
  'POST /api/v1/cases/:case_id/re-recruitment': async (w, role, scope) => ({ token: tok(w, role), url: `/api/v1/cases/${await caseFor(w, scope, { release: scope !== 'out' })}/re-recruitment`, payload: { recruited_on: today(), note: 'seen at the checkpoint' } }),
  'POST /api/v1/cases/:case_id/referrals': async (w, role, scope) => ({ token: tok(w, role), url: `/api/v1/cases/${await caseFor(w, scope, { consent: true })}/referrals`, payload: { to_agency: 'MSF', service: 'health_medical', urgency: 'low', granted_forms: ['concerns'] } }),
  'POST /api/v1/cases/:case_id/release': async (w, role, scope) => ({ token: tok(w, role), url: `/api/v1/cases/${await caseFor(w, scope)}/release`, payload: { encountered_at: new Date(Date.now() - 3600_000).toISOString(), exit_mode: 'surrendered', encountered_by: 'patrol' } }),
  'POST /api/v1/cases/:case_id/release/handover': async (w, role, scope) => ({ token: tok(w, role), url: `/api/v1/cases/${await caseFor(w, scope, { release: scope !== 'out' })}/release/handover`, payload: { handed_over_at: new Date().toISOString(), handed_over_to: 'icrc' } }),
  'GET /api/v1/referrals': async (w, role) => ({ token: tok(w, role), url: '/api/v1/referrals' }),
  'GET /api/v1/referrals/:referral_id': async (w, role, scope) => ({ token: tok(w, role), url: `/api/v1/referrals/${await referralFor(w, role, scope)}` }),
  'POST /api/v1/referrals/:referral_id/status': async (w, role, scope) => role === 'case_worker'
    ? { token: tok(w, role), url: `/api/v1/referrals/${await referralFor(w, role, scope, 'accepted')}/status`, payload: { status: 'completed', note: 'done' } }
    : { token: tok(w, role), url: `/api/v1/referrals/${await referralFor(w, role, scope)}/status`, payload: { status: 'declined', note: 'no capacity' } },
  // Interim care, reintegration, follow-up, tracing, BIA/BID, export and indicators (care-routes.ts).
  'GET /api/v1/cases/indicators': async (w, role) => ({ token: tok(w, role), url: '/api/v1/cases/indicators' }),
  'POST /api/v1/cases/export': async (w, role) => ({ token: tok(w, role), url: '/api/v1/cases/export', payload: { recipient: 'family' } }),
  'GET /api/v1/cases/:case_id/care': async (w, role, scope) => ({ token: tok(w, role), url: `/api/v1/cases/${await caseFor(w, scope)}/care` }),
  'POST /api/v1/cases/:case_id/interim-care': async (w, role, scope) => ({ token: tok(w, role), url: `/api/v1/cases/${await caseFor(w, scope)}/interim-care`, payload: { care_type: 'family_based', admitted_on: today() } }),
  'POST /api/v1/cases/:case_id/interim-care/:placement_id/end': async (w, role, scope) => {
    const s = side(w, scope);
    const p = await placementEntry(w.store.db, w.m.id, s.worker, s.agency);
    return { token: tok(w, role), url: `/api/v1/cases/${p.caseId}/interim-care/${p.placementId}/end`, payload: { left_on: today(), left_reason: 'reunified' } };
  },
  'POST /api/v1/cases/:case_id/reintegration': async (w, role, scope) => ({ token: tok(w, role), url: `/api/v1/cases/${await caseFor(w, scope)}/reintegration`, payload: { component_type: 'life_skills', provider: 'NRC', start_on: today() } }),
  'PATCH /api/v1/cases/:case_id/reintegration/:component_id': async (w, role, scope) => {
    const s = side(w, scope);
    const c = await componentEntry(w.store.db, w.m.id, s.worker, s.agency);
    return { token: tok(w, role), url: `/api/v1/cases/${c.caseId}/reintegration/${c.componentId}`, payload: { version: 1, status: 'ongoing' } };
  },
  'POST /api/v1/cases/:case_id/followups/:visit_id': async (w, role, scope) => {
    const s = side(w, scope);
    const v = await visitEntry(w.store.db, w.m.id, s.worker, s.agency);
    return { token: tok(w, role), url: `/api/v1/cases/${v.caseId}/followups/${v.visitId}`, payload: { visited_on: today(), child_seen: true, further_visit_needed: false } };
  },
  'POST /api/v1/cases/:case_id/reunification': async (w, role, scope) => ({ token: tok(w, role), url: `/api/v1/cases/${await caseFor(w, scope)}/reunification`, payload: { outcome: 'alternative_care', care_type: 'foster', on_date: today() } }),
  'POST /api/v1/cases/:case_id/best-interests': async (w, role, scope) => ({ token: tok(w, role), url: `/api/v1/cases/${await caseFor(w, scope)}/best-interests`, payload: { kind: 'bia', done_on: today(), done_by: 'case worker', priority: '30_days', recommendation: 'family-based care', bid_required: false } }),
  'POST /api/v1/tracing-requests': async (w, role) => ({ token: tok(w, role), url: '/api/v1/tracing-requests', payload: { sought: { child_name: 'Probe Child', requester_name: 'Probe Parent', requester_relationship: 'mother' }, sex: 'female' } }),
  'GET /api/v1/tracing-requests': async (w, role) => ({ token: tok(w, role), url: '/api/v1/tracing-requests' }),
  'GET /api/v1/tracing-requests/:request_id': async (w, role, scope) => {
    const s = side(w, scope);
    return { token: tok(w, role), url: `/api/v1/tracing-requests/${(await tracingEntry(w.store.db, w.m.id, s.worker, s.agency)).requestId}` };
  },
  'POST /api/v1/tracing-requests/:request_id/steps': async (w, role, scope) => {
    const s = side(w, scope);
    return { token: tok(w, role), url: `/api/v1/tracing-requests/${(await tracingEntry(w.store.db, w.m.id, s.worker, s.agency)).requestId}/steps`, payload: { version: 1, action: 'note', note: 'radio message' } };
  },
  'POST /api/v1/tracing-requests/:request_id/match': async (w, role, scope) => {
    const s = side(w, scope);
    return { token: tok(w, role), url: `/api/v1/tracing-requests/${(await tracingEntry(w.store.db, w.m.id, s.worker, s.agency)).requestId}/match` };
  },
  'POST /api/v1/tracing-requests/:request_id/matches': async (w, role, scope) => {
    const s = side(w, scope);
    const { requestId } = await tracingEntry(w.store.db, w.m.id, s.worker, s.agency);
    const { caseId } = await careCaseEntry(w.store.db, w.m.id, s.worker, s.agency, { consent: true });
    return { token: tok(w, role), url: `/api/v1/tracing-requests/${requestId}/matches`, payload: { case_id: caseId, probability: 0.8, explanation: { fields: {} } } };
  },
  'POST /api/v1/tracing-requests/:request_id/matches/:match_id/decision': async (w, role, scope) => {
    const s = side(w, scope);
    const t = await tracingEntry(w.store.db, w.m.id, s.worker, s.agency, { candidate: true });
    return { token: tok(w, role), url: `/api/v1/tracing-requests/${t.requestId}/matches/${t.matchId}/decision`, payload: { decision: 'rejected', note: 'different father' } };
  },
};
