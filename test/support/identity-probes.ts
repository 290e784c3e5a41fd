import { randomUUID } from 'node:crypto';
import { mergeRecords } from '../../src/modules/identity/service.ts';
import type { RequestContext, Role } from '../../src/platform/context.ts';
import { registerCaseEntry } from './case-probe-helpers.ts';
import type { Probe, ProbeScope, World } from './route-table.ts';

/** Probes for the identity-linkage routes (issue #5): in scope = a case of the actor's agency (UNICEF), out = another agency's. */
const tok = (w: World, role: Role) => w.actors[role].token;
const caseFor = (w: World, scope: ProbeScope) => registerCaseEntry(w.store.db, w.m.id, scope === 'out' ? randomUUID() : w.actors.case_worker.userId, scope === 'out' ? 'SCI' : 'UNICEF');
const supervisorCtx = (w: World): RequestContext => ({ actor: { userId: w.actors.supervisor.userId, missionId: w.m.id, username: w.actors.supervisor.username, role: 'supervisor', scope: w.actors.supervisor.scope }, clientAddress: null, requestId: null });

/** A case merged with another agency's case, so that unmerging it has something to undo. */
async function mergedCase(w: World, scope: ProbeScope): Promise<string> {
  const id = await caseFor(w, scope);
  if (scope !== 'out') await mergeRecords(w.store.db, supervisorCtx(w), id, { with_ref: `case:${await caseFor(w, 'out')}`, reason: 'probe' });
  return id;
}

export const identityProbes: Record<string, Probe> = {
  'POST /api/v1/identity/runs': async (w, role) => ({ token: tok(w, role), url: '/api/v1/identity/runs' }),
  'GET /api/v1/identity/review': async (w, role) => ({ token: tok(w, role), url: '/api/v1/identity/review' }),
  'POST /api/v1/identity/decisions': async (w, role) => ({ token: tok(w, role), url: '/api/v1/identity/decisions',
    payload: { left_ref: `case:${await caseFor(w, 'in')}`, right_ref: `case:${await caseFor(w, 'out')}`, decision: 'non_match', reason: 'probe' } }),
  'GET /api/v1/identity/cases/:case_id': async (w, role, scope) => ({ token: tok(w, role), url: `/api/v1/identity/cases/${await caseFor(w, scope)}` }),
  'POST /api/v1/identity/cases/:case_id/merge': async (w, role, scope) => ({ token: tok(w, role), url: `/api/v1/identity/cases/${await caseFor(w, scope)}/merge`,
    payload: { with_ref: `case:${await caseFor(w, 'out')}`, reason: 'probe' } }),
  'POST /api/v1/identity/cases/:case_id/unmerge': async (w, role, scope) => ({ token: tok(w, role), url: `/api/v1/identity/cases/${role === 'supervisor' ? await mergedCase(w, scope) : await caseFor(w, scope)}/unmerge`, payload: { reason: 'probe' } }),
  'POST /api/v1/identity/tracing-matches': async (w, role) => ({ token: tok(w, role), url: '/api/v1/identity/tracing-matches', payload: { given_name: 'Probe', family_name: 'Child', age_years: 16 } }),
};
