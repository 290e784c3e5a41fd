import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError } from './api/client.ts';
import type { Me, Role } from './api/types.ts';

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
    try {
      const me = await api.me();
      try {
        await api.parties(); // any full-access route: tells a finished session from one still in setup
        setState({ status: 'ready', me });
      } catch (err) {
        if (err instanceof ApiError && err.code === 'auth.password_change_required') setState({ status: 'setup', me, step: 'password' });
        else if (err instanceof ApiError && err.code === 'auth.second_factor_enrolment_required') setState({ status: 'setup', me, step: 'enrol' });
        else setState({ status: 'ready', me });
      }
    } catch {
      api.forget();
      setState({ status: 'anonymous' });
    }
  }, []);

  useEffect(() => {
    api.onUnauthorised(() => { api.forget(); setState({ status: 'anonymous', notice: 'app.sessionEnded' }); });
    void refresh();
  }, [refresh]);

  const logout = useCallback(async () => {
    try { await api.logout(); } catch { /* already gone */ }
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
  monitor: ['newIncident', 'incidents', 'violations', 'verification', 'dashboard'],
  verifier: ['verification', 'incidents', 'violations', 'newIncident', 'dashboard', 'reports'],
  analyst: ['dashboard', 'reports'],
  admin: ['users', 'dashboard', 'reports'],
  auditor: ['audit'],
  case_worker: [], supervisor: [], conduct_officer: [],
};
