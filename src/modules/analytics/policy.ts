import type { Actor } from '../../platform/context.ts';
import { inAreaScope } from '../mrm/policy.ts';

/**
 * Hotspot alerts go to the people responsible for the area: monitors and verifiers whose scope covers
 * one of the alert's admin areas, and analysts of the country (who see the areas and figures, never
 * the incidents). Others do not learn an alert exists.
 */
export const ALERT_ROLES = ['monitor', 'verifier', 'analyst'] as const;

export function canSeeAlert(actor: Actor, country: string, pcodes: readonly string[]): boolean {
  if (!(ALERT_ROLES as readonly string[]).includes(actor.role)) return false;
  if (actor.role === 'analyst') return actor.scope.country === null || actor.scope.country === country;
  return pcodes.some((p) => inAreaScope(actor, country, p));
}

/** Incident ids in an alert are for those who work with incident records; their own policy still applies on opening. */
export const mayListAlertIncidents = (actor: Actor) => actor.role === 'monitor' || actor.role === 'verifier';

export const mayAcknowledge = (actor: Actor) => actor.role === 'monitor' || actor.role === 'verifier';
