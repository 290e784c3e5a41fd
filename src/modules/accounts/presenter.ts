import type { Actor } from '../../platform/context.ts';
import type { UserView } from './schema.ts';
import type { UserRow } from './repository.ts';

export function presentUser(row: UserRow): UserView {
  return {
    id: row.user_id,
    mission_id: row.mission_id,
    username: row.username,
    display_name: row.display_name,
    role: row.role as UserView['role'],
    scope: { country: row.scope_country, areas: row.scope_areas, agency: row.scope_agency },
    disabled: row.disabled_at !== null,
    created_at: new Date(row.created_at).toISOString(),
  };
}

export function presentActor(actor: Actor) {
  return { id: actor.userId, mission_id: actor.missionId, username: actor.username, role: actor.role, scope: actor.scope };
}
