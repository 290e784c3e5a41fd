import { createUser } from '../../src/modules/accounts/service.ts';
import { systemContext, type Role } from '../../src/platform/context.ts';
import { auth, login, PASSWORD } from './fixtures.ts';
import type { StoreHarness } from './matrix.ts';

/**
 * What the case scenario tests share: staff of an agency (logged in, with the actor the services take),
 * an API call returning status and body, and the request context of one of them.
 */
export function caseStaff(h: () => StoreHarness) {
  async function staff(m: { id: string }, role: Role, agency: string) {
    const username = `${m.id}.${role.replace('_', '')}.${agency.toLowerCase()}`;
    const scope = { country: 'COD', areas: [], agency };
    const { user } = await createUser(h().store.db, systemContext(m.id), { username, display_name: username, role, scope, password: PASSWORD });
    return { id: user.id, token: await login(h().app, username, PASSWORD), actor: { userId: user.id, missionId: m.id, username, role, scope } };
  }
  const call = async (token: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => {
    const res = await h().app.inject({ method, url, headers: auth(token), ...(payload && { payload }) });
    return { status: res.statusCode, body: res.json() };
  };
  const ctxOf = (actor: Awaited<ReturnType<typeof staff>>['actor']) => ({ actor, clientAddress: null, requestId: null });
  return { staff, call, ctxOf };
}
