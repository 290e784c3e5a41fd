import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ImportRow, LineError } from './columns.ts';

/** What the mission already holds, as the plan needs it. */
export interface KnownReference {
  countries: ReadonlySet<string>;
  /** By P-code. */
  areas: ReadonlyMap<string, { country: string; level: number }>;
  /** By lower-cased name and alias. */
  parties: ReadonlyMap<string, { id: string; name: string; category: string }>;
  /** Level-0 areas by country, the parent of a new admin 1 when their P-codes nest. */
  countryAreas: ReadonlyMap<string, string[]>;
}

export interface NewArea { pcode: string; country: string; level: 1 | 2; parent: string | null }
export interface NewParty { id: string; name: string; category: string; country: string }

export interface PlannedViolation { id: string; incidentId: string; row: ImportRow; partyIds: string[] }
export interface PlannedIncident { id: string; ref: string; first: ImportRow; violations: PlannedViolation[] }

export interface ImportPlan {
  errors: LineError[];
  newCountries: string[];
  newAreas: NewArea[];
  newParties: NewParty[];
  incidents: PlannedIncident[];
  /** Every violation in the order its id was issued (the file's), which is the ids' sort order (orderedIds). */
  violations: PlannedViolation[];
}

/**
 * The same file always gives the same incident ids, so importing a file twice is refused (the ids
 * exist) instead of doubling every figure.
 */
export function importedIncidentId(missionId: string, incidentRef: string): string {
  const h = createHash('sha256').update(`${missionId}\u0000mrm-import\u0000${incidentRef}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Time-ordered ids (UUID version 7, RFC 9562: milliseconds, then a counter, then random bits) for the
 * violations of one import: written in ascending order, each primary-key and foreign-key lookup lands
 * next to the previous one instead of at a random place in a large index.
 */
export function orderedIds(): () => string {
  const ms = Date.now().toString(16).padStart(12, '0');
  let seq = 0;
  let pool = '';
  return () => {
    const n = seq++;
    // Random bits drawn 4 KiB at a time: one call per id cost more than the rest of the plan.
    if (pool.length < 12) pool = randomBytes(4096).toString('hex');
    const r = pool.slice(0, 12);
    pool = pool.slice(12);
    const a = (0x7000 | ((n >>> 17) & 0xfff)).toString(16);
    const b = (0x80000 | ((n & 0x1ffff) << 1) | (parseInt(r[0]!, 16) & 1)).toString(16);
    return `${ms.slice(0, 8)}-${ms.slice(8)}-${a}-${b.slice(0, 4)}-${b.slice(4)}${r.slice(1)}`;
  };
}

const INCIDENT_COLUMNS = ['incident_date', 'country', 'admin1', 'admin2', 'latitude', 'longitude'] as const;
const incidentValue = (r: ImportRow, c: (typeof INCIDENT_COLUMNS)[number]): string => {
  switch (c) {
    case 'incident_date': return r.dateEnd ? `${r.dateStart}/${r.dateEnd}` : r.dateStart;
    case 'country': return r.country;
    case 'admin1': return r.admin1;
    case 'admin2': return r.admin2 ?? '';
    case 'latitude': return r.coordinates ? String(r.coordinates.latitude) : '';
    case 'longitude': return r.coordinates ? String(r.coordinates.longitude) : '';
  }
};

/** The rules across rows and against the mission's reference data; pure, so every bad line is found in one pass. */
export function planImport(missionId: string, rows: ImportRow[], known: KnownReference): ImportPlan {
  const errors: LineError[] = [];
  const newCountries = new Set<string>();
  const newAreas = new Map<string, NewArea & { line: number }>();
  const newParties = new Map<string, NewParty & { line: number }>();
  const incidents = new Map<string, PlannedIncident>();
  const victimSex = new Map<string, { sex: string; line: number }>();
  const nextId = orderedIds();
  const violations: PlannedViolation[] = [];

  for (const row of rows) {
    const fail = (column: string, rule: string) => errors.push({ line: row.line, column, rule });
    let incident = incidents.get(row.incidentRef);
    if (incident) {
      for (const c of INCIDENT_COLUMNS) {
        const a = incidentValue(incident.first, c), b = incidentValue(row, c);
        if (a !== b) fail(c, `incident ${row.incidentRef} has ${c} "${a}" on line ${incident.first.line}; every row of one incident must agree (found "${b}")`);
      }
    } else {
      incident = { id: importedIncidentId(missionId, row.incidentRef), ref: row.incidentRef, first: row, violations: [] };
      incidents.set(row.incidentRef, incident);
    }

    if (!known.countries.has(row.country)) newCountries.add(row.country);
    const area = (pcode: string, level: 1 | 2, column: 'admin1' | 'admin2') => {
      const existing = known.areas.get(pcode);
      if (existing) {
        if (existing.country !== row.country) fail(column, `${pcode} is an area of ${existing.country}, not of ${row.country}`);
        else if (level === 1 && existing.level !== 1) fail(column, `${pcode} is a level-${existing.level} area, not an admin 1`);
        else if (level === 2 && existing.level < 2) fail(column, `${pcode} is a level-${existing.level} area, not inside an admin 1`);
        return;
      }
      const planned = newAreas.get(pcode);
      if (planned) {
        if (planned.country !== row.country) fail(column, `${pcode} is given for ${planned.country} on line ${planned.line} and for ${row.country} here`);
        else if (planned.level !== level) fail(column, `${pcode} is given as admin ${planned.level} on line ${planned.line} and as admin ${level} here`);
        return;
      }
      const parent = level === 2 ? row.admin1 : (known.countryAreas.get(row.country) ?? []).find((p) => pcode.startsWith(p)) ?? null;
      newAreas.set(pcode, { pcode, country: row.country, level, parent, line: row.line });
    };
    area(row.admin1, 1, 'admin1');
    if (row.admin2) area(row.admin2, 2, 'admin2');

    const partyIds: string[] = [];
    for (const p of row.perpetrators) {
      const key = p.name.toLowerCase();
      const existing = known.parties.get(key) ?? newParties.get(key);
      if (existing) {
        if (p.category && p.category !== existing.category) {
          fail('perpetrator_category', `${existing.name} is recorded as ${existing.category}${'line' in existing ? ` (line ${existing.line})` : ' in the mission'}, not ${p.category}`);
        }
        partyIds.push(existing.id);
      } else if (!p.category) {
        fail('perpetrator_category', `${p.name} is a new party: give its category so it can be created`);
      } else {
        const created = { id: randomUUID(), name: p.name, category: p.category, country: row.country, line: row.line };
        newParties.set(key, created);
        partyIds.push(created.id);
      }
    }

    if (row.victimRef) {
      const sex = row.boys ? 'male' : row.girls ? 'female' : 'unknown';
      const before = victimSex.get(row.victimRef);
      if (before && before.sex !== sex) fail('victim_ref', `${row.victimRef} is ${before.sex} on line ${before.line} and ${sex} here: one reference is one child`);
      else if (!before) victimSex.set(row.victimRef, { sex, line: row.line });
      if (incident.violations.some((v) => v.row.victimRef === row.victimRef && v.row.type === row.type)) {
        fail('victim_ref', `${row.victimRef} already has a ${row.type} in incident ${row.incidentRef}: give the child once per violation`);
      }
    }
    const violation = { id: nextId(), incidentId: incident.id, row, partyIds };
    incident.violations.push(violation);
    violations.push(violation);
  }

  const strip = <T extends { line: number }>(m: Map<string, T>) => [...m.values()].map(({ line: _line, ...rest }) => rest);
  return { errors, newCountries: [...newCountries].sort(), newAreas: strip(newAreas), newParties: strip(newParties), incidents: [...incidents.values()], violations };
}
