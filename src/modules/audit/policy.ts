import type { Actor } from '../../platform/context.ts';

/**
 * The trail is the auditor's alone, and only their own mission's. Refusals are 403, not 404: that an
 * audit trail exists is no secret, only its content is.
 */
export const canReadAuditTrail = (actor: Actor): boolean => actor.role === 'auditor';
