import { randomUUID } from 'node:crypto';
import { recordConsent, registerCaseEntry } from './case-probe-helpers.ts';
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
  'POST /api/v1/cases/:case_id/referrals': async (w, role, scope) => ({ token: tok(w, role), url: `/api/v1/cases/${await caseFor(w, scope, { consent: true })}/referrals`, payload: { to_agency: 'MSF', service: 'health_medical', urgency: 'low', granted_forms: ['concerns'] } }),
  'POST /api/v1/cases/:case_id/release': async (w, role, scope) => ({ token: tok(w, role), url: `/api/v1/cases/${await caseFor(w, scope)}/release`, payload: { encountered_at: new Date(Date.now() - 3600_000).toISOString(), exit_mode: 'surrendered', encountered_by: 'patrol' } }),
  'POST /api/v1/cases/:case_id/release/handover': async (w, role, scope) => ({ token: tok(w, role), url: `/api/v1/cases/${await caseFor(w, scope, { release: scope !== 'out' })}/release/handover`, payload: { handed_over_at: new Date().toISOString(), handed_over_to: 'icrc' } }),
  'GET /api/v1/referrals': async (w, role) => ({ token: tok(w, role), url: '/api/v1/referrals' }),
  'GET /api/v1/referrals/:referral_id': async (w, role, scope) => ({ token: tok(w, role), url: `/api/v1/referrals/${await referralFor(w, role, scope)}` }),
  'POST /api/v1/referrals/:referral_id/status': async (w, role, scope) => role === 'case_worker'
    ? { token: tok(w, role), url: `/api/v1/referrals/${await referralFor(w, role, scope, 'accepted')}/status`, payload: { status: 'completed', note: 'done' } }
    : { token: tok(w, role), url: `/api/v1/referrals/${await referralFor(w, role, scope)}/status`, payload: { status: 'declined', note: 'no capacity' } },
};
