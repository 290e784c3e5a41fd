/** Who is acting, and from where. Built once per request (or per CLI command) and passed down. */
export const ROLES = ['admin', 'monitor', 'verifier', 'case_worker', 'supervisor', 'analyst', 'conduct_officer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface Scope {
  /** ISO 3166-1 alpha-3; null means every country of the mission. */
  country: string | null;
  /** P-code prefixes; empty means the whole country (or mission). */
  areas: string[];
  agency: string | null;
}

export interface Actor {
  userId: string;
  missionId: string;
  username: string;
  role: Role;
  scope: Scope;
  sessionId?: string;
}

export interface RequestContext {
  actor: Actor;
  clientAddress: string | null;
  requestId: string | null;
}

/** The actor for work the system does on its own behalf (demo seeding, the CLI acting as installer). */
export function systemContext(missionId: string): RequestContext {
  return {
    actor: { userId: '00000000-0000-0000-0000-000000000000', missionId, username: 'system', role: 'admin', scope: { country: null, areas: [], agency: null } },
    clientAddress: null,
    requestId: null,
  };
}
