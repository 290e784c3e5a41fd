import type { Actor } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';

/** Account management is the admin's, within the admin's own mission. Everyone may manage their own password. */
export const accountActions = {
  'user.list': (actor: Actor) => actor.role === 'admin',
  'user.create': (actor: Actor) => actor.role === 'admin',
  'user.revoke_sessions': (actor: Actor) => actor.role === 'admin',
  'user.reset_second_factor': (actor: Actor) => actor.role === 'admin',
} as const;

export function authorizeAccounts(actor: Actor, action: keyof typeof accountActions): void {
  if (!accountActions[action](actor)) throw new AppError('permission.denied', { action });
}
