// placeholder replaced by the demo generator
import type { Store } from '../platform/db/store.ts';
import type { Role } from '../platform/context.ts';
export async function seedDemo(_store: Store, _options?: { seed?: number; incidents?: number }): Promise<{ missionId: string; incidents: number; violations: number; users: { username: string; role: Role; password: string }[] }> {
  throw new Error('not yet');
}
