import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Actor, Role } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { LEVEL_ROLES } from './verification.ts';
import type { VerificationLevel } from './vocabulary.ts';

/**
 * Who may do what to MRM records. Deny by default: a role not named here can do nothing.
 * `visibleIncidents` is the same rule as `canSee`, written as SQL so lists filter in the database.
 */
export interface IncidentFacts { createdBy: string; countryIso3: string; adminPcode: string }

export function inAreaScope(actor: Actor, countryIso3: string, pcode: string): boolean {
  if (actor.scope.country && actor.scope.country !== countryIso3) return false;
  return actor.scope.areas.length === 0 || actor.scope.areas.some((prefix) => pcode.startsWith(prefix));
}

/**
 * Roles that work with incident records at all. Any other role is refused (403) before the record is
 * looked up, so the answer is the same whether or not the record exists: it reveals nothing.
 */
export const RECORD_ROLES = ['monitor', 'verifier'] as const;
export const mayHandleRecords = (actor: Actor): boolean => (RECORD_ROLES as readonly string[]).includes(actor.role);

export function canSee(actor: Actor, incident: IncidentFacts): boolean {
  switch (actor.role) {
    case 'monitor': return incident.createdBy === actor.userId;
    case 'verifier': return inAreaScope(actor, incident.countryIso3, incident.adminPcode);
    default: return false;
  }
}

export function canRecord(actor: Actor, countryIso3: string, pcode: string): boolean {
  return (actor.role === 'monitor' || actor.role === 'verifier') && inAreaScope(actor, countryIso3, pcode);
}

export function canEdit(actor: Actor, incident: IncidentFacts): boolean {
  return canSee(actor, incident) && canRecord(actor, incident.countryIso3, incident.adminPcode);
}

export function canVerify(actor: Actor, incident: IncidentFacts, level: VerificationLevel): boolean {
  return canSee(actor, incident) && LEVEL_ROLES[level].includes(actor.role);
}

export function permittedIncidentActions(actor: Actor, incident: IncidentFacts): string[] {
  const actions: string[] = [];
  if (canSee(actor, incident)) actions.push('read', 'read_confidential', 'read_identities');
  if (canEdit(actor, incident)) actions.push('update', 'add_violation');
  return actions;
}

export function permittedViolationActions(actor: Actor, incident: IncidentFacts): string[] {
  const actions: string[] = [];
  if (canEdit(actor, incident)) actions.push('update', 'erase_identity');
  for (const level of ['focal_point', 'technical', 'final'] as const) {
    if (canVerify(actor, incident, level)) actions.push(`verify_${level}`);
  }
  return actions;
}

/**
 * How finely incident points leave the server, per role: the grid (in degrees) each point is snapped to.
 * A role not named here is sent no point at all (analysts work with areas and aggregates only). The exact
 * point is confidential content like the narrative and travels with it: only in a response that carries
 * the confidential narrative (an audited opening of one record, or the echo of the writer's own change).
 */
export const POINT_GRID_DEGREES: Partial<Record<Role, number>> = { verifier: 0.01, monitor: 0.05 };
/** A point recorded as approximate or as an area centroid is never sent finer than this. */
export const APPROXIMATE_GRID_DEGREES = 0.05;

export type PointAllowance = { exact: true } | { exact: false; gridDegrees: number } | null;

/** What of an incident's point `actor` may be sent: the exact point, a snapped one, or none. */
export function pointAllowance(actor: Actor, incident: IncidentFacts, withConfidential: boolean, recordedPrecision: string): PointAllowance {
  if (!canSee(actor, incident)) return null;
  if (withConfidential) return { exact: true };
  const grid = POINT_GRID_DEGREES[actor.role];
  if (grid === undefined) return null;
  return { exact: false, gridDegrees: recordedPrecision === 'exact' ? grid : Math.max(grid, APPROXIMATE_GRID_DEGREES) };
}

/** `canSee` as a WHERE clause over `incidents as i`. */
export function visibleIncidents(actor: Actor) {
  return (eb: ExpressionBuilder<DB & { i: DB['incidents'] }, 'i'>): Expression<SqlBool> => {
    const conditions: Expression<SqlBool>[] = [eb('i.mission_id', '=', actor.missionId)];
    switch (actor.role) {
      case 'monitor':
        conditions.push(eb('i.created_by', '=', actor.userId));
        break;
      case 'verifier':
        if (actor.scope.country) conditions.push(eb('i.country_iso3', '=', actor.scope.country));
        if (actor.scope.areas.length > 0) {
          conditions.push(eb.or(actor.scope.areas.map((p) => sql<SqlBool>`starts_with(${eb.ref('i.admin_pcode')}, ${p})`)));
        }
        break;
      default:
        conditions.push(sql<SqlBool>`false`);
    }
    return eb.and(conditions);
  };
}
