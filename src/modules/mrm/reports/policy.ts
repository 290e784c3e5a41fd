import type { Actor, Role } from '../../../platform/context.ts';
import { ensure } from '../../../platform/errors.ts';

/**
 * Who may read MRM reports, and in what form. Reports are aggregates: they carry no name, narrative,
 * source or coordinate. An analyst works with aggregates only and receives every report in its
 * disclosure-controlled (public) form, whatever they ask for; verifiers and admins may also read the
 * unsuppressed figures, which are for the task force itself. Everyone sees their own scope only
 * (country and areas), enforced in the SQL that loads the figures.
 */
export const REPORT_ROLES: readonly Role[] = ['analyst', 'verifier', 'admin'];
/** Roles that may read the row-level export (one row per violation, no coordinates). */
export const EXPORT_ROLES: readonly Role[] = ['verifier', 'admin'];

export function reportForm(actor: Actor, askedPublic: boolean): { public: boolean } {
  ensure(REPORT_ROLES.includes(actor.role), 'permission.denied', { rule: `your role (${actor.role}) does not read MRM reports` });
  return { public: askedPublic || actor.role === 'analyst' };
}

export function mayExportRows(actor: Actor): void {
  ensure(EXPORT_ROLES.includes(actor.role), 'permission.denied', { rule: `your role (${actor.role}) may not export violation rows` });
}
