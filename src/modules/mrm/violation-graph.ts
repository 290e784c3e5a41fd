import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import type { ReferenceCache } from '../reference/cache.ts';
import { jsonb, type ViolationGraph } from './repository.ts';
import type { ViolationInput } from './schema.ts';
import type { IdentitySealer } from './sealed-fields.ts';
import { VICTIM_COUNTED_TYPES, type ViolationType } from './vocabulary.ts';

type Children = Pick<ViolationInput, 'tallies' | 'perpetrators' | 'victims' | 'sources'>;

/**
 * Checks the rules zod cannot see (uniqueness, tallies against named victims, victim-counted types)
 * and that every party exists. `path` is where the violation sits in the request, for error fields.
 */
export async function checkViolationChildren(refs: ReferenceCache, db: Kysely<DB> | Transaction<DB>, missionId: string, type: ViolationType, c: Partial<Children>, path: string): Promise<void> {
  const dup = (values: string[]) => values.find((v, i) => values.indexOf(v) !== i);
  const fail = (field: string, rule: string): never => { throw new AppError('request.invalid', { field: `${path}${field}`, rule }); };
  if (c.tallies) {
    const band = dup(c.tallies.map((t) => t.age_band));
    if (band) fail('tallies', `age band ${band} appears twice`);
  }
  if (c.perpetrators) {
    const party = dup(c.perpetrators.map((p) => p.party_id));
    if (party) fail('perpetrators', `party ${party} appears twice`);
    const unknown = await refs.unknownParties(db, missionId, c.perpetrators.map((p) => p.party_id));
    const index = c.perpetrators.findIndex((p) => unknown.has(p.party_id));
    if (index >= 0) {
      throw new AppError('reference.unknown_party', { field: `${path}perpetrators.${index}.party_id`, rule: `no party ${c.perpetrators[index]!.party_id} in mission ${missionId}` });
    }
  }
  if (c.victims) {
    const ref = dup(c.victims.map((v) => v.ref));
    if (ref) fail('victims', `victim reference ${ref} appears twice`);
  }
  if (c.sources) {
    const ref = dup(c.sources.map((s) => s.ref));
    if (ref) fail('sources', `source reference ${ref} appears twice`);
  }
  if (c.tallies && VICTIM_COUNTED_TYPES.has(type)) {
    const total = c.tallies.reduce((n, t) => n + t.boys + t.girls + t.sex_unknown, 0);
    if (total === 0) fail('tallies', `${type} is counted in children: give at least one child in the tallies (use sex_unknown / age band unknown when not known)`);
  }
  if (c.tallies && c.victims) {
    const sum = (k: 'boys' | 'girls' | 'sex_unknown') => c.tallies!.reduce((n, t) => n + t[k], 0);
    const named = { boys: c.victims.filter((v) => v.sex === 'male').length, girls: c.victims.filter((v) => v.sex === 'female').length, sex_unknown: c.victims.filter((v) => v.sex === 'unknown').length };
    for (const k of ['boys', 'girls', 'sex_unknown'] as const) {
      if (named[k] > sum(k)) fail('victims', `${named[k]} individual victims counted as ${k} but the tallies give only ${sum(k)}`);
    }
  }
}

export function violationGraph(missionId: string, incidentId: string, actorId: string, v: ViolationInput, seal: IdentitySealer): ViolationGraph {
  const violationId = v.id ?? randomUUID();
  const key = { mission_id: missionId, violation_id: violationId };
  return {
    violation: {
      ...key, incident_id: incidentId, type: v.type, details: jsonb(v.details), crossfire: v.crossfire, crossborder: v.crossborder,
      status_focal_point: 'pending', status_technical: 'pending', status_final: 'pending', created_by: actorId, version: 1,
    },
    ...childRows(missionId, violationId, v, seal),
  };
}

/** The child rows of a violation; identities are sealed by `seal` as the rows are built. */
export function childRows(missionId: string, violationId: string, c: Partial<Children>, seal: IdentitySealer): Omit<ViolationGraph, 'violation'> {
  const key = { mission_id: missionId, violation_id: violationId };
  return {
    tallies: (c.tallies ?? []).map((t) => ({ ...key, age_band: t.age_band, boys: t.boys, girls: t.girls, sex_unknown: t.sex_unknown })),
    perpetrators: (c.perpetrators ?? []).map((p) => ({ ...key, party_id: p.party_id, attribution_verified: p.attribution_verified })),
    victims: (c.victims ?? []).map((x) => ({
      ...key, victim_ref: x.ref, sex: x.sex, age: x.age, age_estimated: x.age_estimated,
      ...(x.identity && seal.victim(violationId, x.ref, x.identity)),
    })),
    sources: (c.sources ?? []).map((s) => ({
      ...key, source_ref: s.ref, category: s.category, source_type: s.type, un_trained_monitor: s.un_trained_monitor, reliability: s.reliability, credibility: s.credibility,
      ...(s.identity && seal.source(violationId, s.ref, s.identity)),
    })),
  };
}
