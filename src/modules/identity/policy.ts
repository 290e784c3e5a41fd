import type { Actor } from '../../platform/context.ts';
import { canSeeCase, type CaseFacts } from '../cases/policy.ts';

/**
 * Who may do what with identity linkage. Deny by default. Pairs and clusters say "these records are one
 * child", which is itself sensitive, so:
 * - a run (which opens every identity in memory, as the server) is started by an admin or a supervisor and
 *   reports counts only;
 * - the review queue and decisions are a supervisor's, and a supervisor sees only pairs touching a case of
 *   their own agency (need to know: the children their agency protects);
 * - the links of one case are shown to whoever may see that case (cases policy);
 * - tracing matches are asked by case workers and supervisors, and answer only with children whose consent
 *   in force covers tracing.
 */
export const RUN_ROLES = ['admin', 'supervisor'] as const;
export const REVIEW_ROLES = ['supervisor'] as const;
export const LINK_ROLES = ['case_worker', 'supervisor'] as const;
export const TRACING_ROLES = ['case_worker', 'supervisor'] as const;

const has = (roles: readonly string[], actor: Actor) => roles.includes(actor.role);
export const mayRunLinkage = (actor: Actor) => has(RUN_ROLES, actor);
export const mayReview = (actor: Actor) => has(REVIEW_ROLES, actor) && actor.scope.agency !== null;
export const maySeeLinks = (actor: Actor) => has(LINK_ROLES, actor);
export const mayTrace = (actor: Actor) => has(TRACING_ROLES, actor);

/** A reviewer decides on a case of their agency only (the other side may be anyone's record). */
export const reviewsCase = (actor: Actor, c: CaseFacts) => mayReview(actor) && canSeeCase(actor, c);
