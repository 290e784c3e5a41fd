import type { Actor } from '../../platform/context.ts';
import { mayHandleRecords } from '../mrm/policy.ts';

/**
 * Who may push and pull. Pushing a report is recording an incident: the MRM service applies its own
 * area rule (`canRecord`) to each one. Pulling is seeing: the delta is filtered by `visibleIncidents`.
 */
export const mayPushReports = (actor: Actor): boolean => mayHandleRecords(actor);
export const mayPull = (actor: Actor): boolean => mayHandleRecords(actor);

/**
 * What the pulled set depends on besides the records: who asks and with which scope. A cursor issued
 * under another fingerprint (scope changed, role changed) restarts the sync, so the device drops what
 * it may no longer hold.
 */
export function scopeFingerprint(actor: Actor): string {
  return JSON.stringify([actor.userId, actor.role, actor.scope.country, [...actor.scope.areas].sort()]);
}
