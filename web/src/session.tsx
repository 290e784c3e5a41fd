import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError } from './api/client.ts';
import type { Me, Role } from './api/types.ts';
import { outbox, startSyncLoop } from './offline/outbox.ts';
import { vault } from './offline/vault.ts';
import { loadReference } from './reference.ts';
import { deviceRecords } from './offline/records.ts';

// Who was signed in on this tab, so a reload with no network still opens the app (role and name only).
const ME_KEY = 'tutela.me';
const rememberMe = (me: Me | null) => { try { if (me) sessionStorage.setItem(ME_KEY, JSON.stringify(me)); else sessionStorage.removeItem(ME_KEY); } catch { /* private mode */ } };
const rememberedMe = (): Me | null => { try { return JSON.parse(sessionStorage.getItem(ME_KEY) ?? 'null') as Me | null; } catch { return null; } };

/**
 * Who is signed in and what is still required of them. `setup` covers a one-time password to change
 * and a second factor to enrol: the server refuses everything else until both are done.
 */
export type SessionState =
  | { status: 'loading' }
  | { status: 'anonymous'; notice?: string }
  | { status: 'setup'; me: Me; step: 'password' | 'enrol' }
  | { status: 'ready'; me: Me };

interface SessionApi {
  state: SessionState;
  setState(s: SessionState): void;
  refresh(): Promise<void>;
  logout(): Promise<void>;
}

const SessionContext = createContext<SessionApi | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const refresh = useCallback(async () => {
    if (!api.hasSession()) { setState({ status: 'anonymous' }); return; }
    // Asked together with /me: a full-access route tells a finished session from one still in setup, and
    // the reference lists are what the first screen needs anyway (one round trip fewer on a slow link).
    const fullAccess = loadReference();
    fullAccess.catch(() => undefined);
    let me: Me;
    try {
      me = await api.me();
      rememberMe(me);
    } catch (err) {
      const offlineMe = err instanceof ApiError && err.status === 0 ? rememberedMe() : null;
      if (offlineMe) { setState({ status: 'ready', me: offlineMe }); return; }
      api.forget();
      setState({ status: 'anonymous' });
      return;
    }
    try {
      try {
        await fullAccess;
        setState({ status: 'ready', me });
      } catch (err) {
        if (err instanceof ApiError && err.code === 'auth.password_change_required') setState({ status: 'setup', me, step: 'password' });
        else if (err instanceof ApiError && err.code === 'auth.second_factor_enrolment_required') setState({ status: 'setup', me, step: 'enrol' });
        else setState({ status: 'ready', me });
      }
    } catch {
      setState({ status: 'ready', me });
    }
  }, []);

  useEffect(() => {
    api.onUnauthorised(() => { api.forget(); setState({ status: 'anonymous', notice: 'app.sessionEnded' }); });
    void refresh();
  }, [refresh]);

  useEffect(() => {
    if (state.status !== 'ready') return;
    const touch = () => vault.touch();
    for (const ev of ['pointerdown', 'keydown'] as const) window.addEventListener(ev, touch);
    const role = state.status === 'ready' ? state.me.role : null;
    const stop = startSyncLoop(api, { reportsStatus: role === 'monitor' || role === 'verifier' });
    return () => { stop(); for (const ev of ['pointerdown', 'keydown'] as const) window.removeEventListener(ev, touch); };
  }, [state.status]);

  const logout = useCallback(async () => {
    try { await api.logout(); } catch { /* already gone */ }
    rememberMe(null);
    // Wipe the device store once nothing is waiting; otherwise keep it sealed and locked for the next login.
    if ((await outbox.items().catch(() => [])).length === 0) await vault.wipe().catch(() => undefined);
    else {
      await deviceRecords.clear().catch(() => undefined);
      vault.lock();
    }
    setState({ status: 'anonymous' });
  }, []);

  const value = useMemo(() => ({ state, setState, refresh, logout }), [state, refresh, logout]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in actor; only for screens rendered once the session is ready. */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'ready') throw new Error('useMe before the session is ready');
  return state.me;
}

/** Which screens a role reaches; the server still decides every record (permitted_actions). */
export const SCREENS_BY_ROLE: Record<Role, readonly string[]> = {
  monitor: ['newIncident', 'incidents', 'violations', 'verification', 'dashboard', 'alerts'],
  verifier: ['verification', 'incidents', 'violations', 'newIncident', 'dashboard', 'reports', 'alerts'],
  analyst: ['dashboard', 'reports', 'conduct', 'alerts', 'caseIndicators'],
  admin: ['users', 'referenceData', 'dashboard', 'reports'],
  auditor: ['audit'],
  case_worker: ['cases', 'tracing'], supervisor: ['cases', 'tracing', 'caseIndicators'], conduct_officer: ['conduct'],
};
