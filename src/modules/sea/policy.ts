import type { Actor, Role } from '../../platform/context.ts';

/**
 * Who may touch conduct records: the conduct officer, and nobody else — not an admin, not an MRM or
 * case role, not the auditor. For every other role an allegation does not exist: record routes answer
 * 404 exactly as for an unknown id (decided before any lookup, so timing and answers are identical),
 * lists and alerts are empty. Only the disclosure-controlled aggregate reaches analysts.
 */
export const CONDUCT_ROLE: Role = 'conduct_officer';
export const mayHandleAllegations = (actor: Actor): boolean => actor.role === CONDUCT_ROLE;

/** Who reads the yearly aggregate, and in which form: analysts only ever the suppressed one. */
export const AGGREGATE_ROLES: readonly Role[] = ['conduct_officer', 'analyst'];
export const aggregateForm = (actor: Actor, askedPublic: boolean): { public: boolean } => ({ public: askedPublic || actor.role !== CONDUCT_ROLE });

export function permittedAllegationActions(actor: Actor): string[] {
  return mayHandleAllegations(actor) ? ['read', 'read_identities', 'read_narrative', 'update', 'refer', 'record_outcome', 'add_assistance', 'add_victim', 'update_victim'] : [];
}
