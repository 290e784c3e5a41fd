import type { Actor } from '../../platform/context.ts';
import { ensure } from '../../platform/errors.ts';

/** Every signed-in role reads reference data (it names no person); only an administrator changes it. */
export function ensureMayAdminister(actor: Actor, action: string): void {
  ensure(actor.role === 'admin', 'permission.denied', { action, rule: `only an administrator changes reference data (your role: ${actor.role})` });
}
