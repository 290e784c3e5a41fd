import { randomBytes } from 'node:crypto';
import type { Role } from '../../src/platform/context.ts';
import { createAdminArea, createParty } from '../../src/modules/reference/service.ts';
import { systemContext } from '../../src/platform/context.ts';
import type { Probe, World } from './route-table.ts';

/**
 * Probes for the administration of reference data (issue 6, item 8): admin only, no record scope.
 * Every probe makes its own party or area, so the ones that succeed never collide (they run in parallel).
 */
const tok = (w: World, role: Role) => w.actors[role].token;
const unique = () => randomBytes(4).toString('hex').toUpperCase();
const freshParty = (w: World) => createParty(w.store.db, systemContext(w.m.id), { name: `Probe party ${unique()}`, aliases: [], category: 'other', country_iso3: 'COD' });
const freshArea = (w: World) => createAdminArea(w.store.db, systemContext(w.m.id),
  { pcode: `${w.m.areas.ituri}${unique()}`, country_iso3: 'COD', admin_level: 2, parent_pcode: w.m.areas.ituri, name: 'Probe area', names: {}, boundary_version: 'probe' });

export const referenceProbes: Record<string, Probe> = {
  'POST /api/v1/reference/parties': async (w, role) => ({
    token: tok(w, role), url: '/api/v1/reference/parties', payload: { name: `Probe party ${unique()}`, category: 'other', country_iso3: 'COD' },
  }),
  'PATCH /api/v1/reference/parties/:party_id': async (w, role) => {
    const party = await freshParty(w);
    return { token: tok(w, role), url: `/api/v1/reference/parties/${party.id}`, payload: { version: party.version, active: false } };
  },
  'POST /api/v1/reference/admin-areas': async (w, role) => ({
    token: tok(w, role), url: '/api/v1/reference/admin-areas',
    payload: { pcode: `${w.m.areas.ituri}${unique()}`, country_iso3: 'COD', admin_level: 2, parent_pcode: w.m.areas.ituri, name: 'Probe area' },
  }),
  'PATCH /api/v1/reference/admin-areas/:pcode': async (w, role) => {
    const area = await freshArea(w);
    return { token: tok(w, role), url: `/api/v1/reference/admin-areas/${area.pcode}`, payload: { version: area.version, name: 'Probe area (renamed)' } };
  },
};
