import type {
  AdminArea, AuditEvent, Country, IncidentCreate, IncidentPage, IncidentUpdate, IncidentView, ListFilters, LoginResult, Me, Party,
  ReportView, UserView, VerificationEvent, VerificationRequest, ViolationInput, ViolationPage, ViolationUpdate, ViolationView,
} from './types.ts';
import type {
  AllegationCreate, AllegationPage, AllegationUpdate, AllegationView, AssistanceCreate, AssistanceUpdate, AssistanceView, ConductAggregateView, ConductAlertPage, VictimAdd, VictimUpdate,
} from './types.ts';
import type { HotspotAlert } from '../screens/alerts.tsx';
import type { EditConflict, EditOutcome, EditPush } from '../offline/merge.ts';
import type {
  BestInterestsInput, BestInterestsView, CareView, CaseAlerts, CaseCreate, CaseIndicators, CaseloadView, CasePage, CaseTransition, CaseUpdate, CaseView,
  ComponentInput, ComponentUpdate, ComponentView, ConsentInput, HandoverInput, MatchView, PlacementEnd, PlacementInput, PlacementView, ReferralCreate,
  ReferralPage, ReferralStatus, ReferralView, ReleaseInput, ReRecruitmentInput, ReunificationInput, ReunificationView, TracingPage, TracingRequestCreate, TracingRequestView,
  TracingRun, VisitInput, VisitView,
} from '../screens/cases/types.ts';

/**
 * The one way the app reaches the server. Screens call `api.*`; the offline layer (issue #7) wraps
 * `createApi` with its own transport, so no screen calls fetch itself.
 */

/** The server's error envelope, with the field it names (if any) so forms can show it beside that field. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly field: string | null, readonly rule: string | null) {
    super(message);
  }
}

export type Transport = (input: string, init: RequestInit) => Promise<Response>;

// The CSRF token is not a credential by itself (the session is an HttpOnly cookie scripts never see);
// sessionStorage keeps it across a reload of this tab only.
const CSRF_KEY = 'tutela.csrf';
const csrfStore = {
  get: (): string | null => { try { return sessionStorage.getItem(CSRF_KEY); } catch { return null; } },
  set: (v: string | null) => { try { if (v) sessionStorage.setItem(CSRF_KEY, v); else sessionStorage.removeItem(CSRF_KEY); } catch { /* private mode */ } },
};

function query(params: object): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * Answers entry/boot.ts asked for while the bundle was still loading, each taken once (a later call
 * asks the server again). Dropped when the session changes: they belong to the session they were asked in.
 */
const early = {
  take(path: string): Promise<Response> | undefined {
    const map = (window as { __tutelaEarly?: Map<string, Promise<Response>> }).__tutelaEarly;
    const answer = map?.get(path);
    map?.delete(path);
    return answer;
  },
  drop() { delete (window as { __tutelaEarly?: unknown }).__tutelaEarly; },
};

/** A request unanswered after this long is given up (and retried by the outbox): a weak link can hang forever. */
const REQUEST_TIMEOUT_MS = 60_000;
const GATEWAY_DOWN = new Set([502, 503, 504]);

export function createApi(transport: Transport = (input, init) => fetch(input, init)) {
  let onUnauthorised: (() => void) | null = null;

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const csrf = csrfStore.get();
    if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
    let res: Response;
    let text: string;
    try {
      res = await ((method === 'GET' && early.take(path)) || transport(`/api/v1${path}`, {
        method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      }));
      text = await res.text();
    } catch {
      // No answer, a link that hangs, or one cut while the body arrived: all "not reachable now".
      throw new ApiError(0, 'network.unreachable', 'The server could not be reached.', null, null);
    }
    // A proxy or gateway answering for a server that is down: the same as no answer, so the app works
    // from the device and the outbox retries, as when the network is gone.
    if (GATEWAY_DOWN.has(res.status)) throw new ApiError(0, 'network.unreachable', 'The server could not be reached.', null, null);
    const data: unknown = text ? safeJson(text) : null;
    if (!res.ok) {
      const err = (data as { error?: { code?: string; message?: string; details?: { field?: string; rule?: string } } } | null)?.error;
      const apiError = new ApiError(res.status, err?.code ?? `http.${res.status}`, err?.message ?? res.statusText, err?.details?.field ?? null, err?.details?.rule ?? null);
      if (res.status === 401 && !path.startsWith('/auth/login')) onUnauthorised?.();
      throw apiError;
    }
    return data as T;
  }

  return {
    /** Called when the session is gone (expired, revoked): the app returns to the login screen. */
    onUnauthorised(handler: () => void) { onUnauthorised = handler; },
    hasSession: () => csrfStore.get() !== null,

    async login(body: { username: string; password: string; totp_code?: string }): Promise<LoginResult> {
      early.drop();
      const result = await call<LoginResult>('POST', '/auth/login', { ...body, session: 'cookie' });
      csrfStore.set(result.csrf_token ?? null);
      return result;
    },
    async logout(): Promise<void> {
      try { await call('POST', '/auth/logout'); } finally { csrfStore.set(null); early.drop(); }
    },
    forget: () => { csrfStore.set(null); early.drop(); },
    me: () => call<Me>('GET', '/me'),
    changePassword: (current_password: string, new_password: string) => call<null>('POST', '/auth/password', { current_password, new_password }),
    enrolSecondFactor: () => call<{ secret: string; otpauth_uri: string }>('POST', '/auth/second-factor/enrol'),
    confirmSecondFactor: (code: string) => call<null>('POST', '/auth/second-factor/confirm', { code }),

    countries: () => call<{ items: Country[] }>('GET', '/reference/countries'),
    adminAreas: () => call<{ items: AdminArea[] }>('GET', '/reference/admin-areas'),
    parties: () => call<{ items: Party[] }>('GET', '/reference/parties'),
    // Administration (admin only): never a delete, `active: false` retires one.
    createParty: (body: { name: string; aliases: string[]; category: string; country_iso3: string }) => call<Party>('POST', '/reference/parties', body),
    updateParty: (id: string, body: { version: number; name?: string; aliases?: string[]; category?: string; active?: boolean }) =>
      call<Party>('PATCH', `/reference/parties/${encodeURIComponent(id)}`, body),
    createAdminArea: (body: { pcode: string; country_iso3: string; admin_level: number; parent_pcode: string | null; name: string; names?: Record<string, string> }) =>
      call<AdminArea>('POST', '/reference/admin-areas', body),
    updateAdminArea: (pcode: string, body: { version: number; name?: string; names?: Record<string, string>; active?: boolean }) =>
      call<AdminArea>('PATCH', `/reference/admin-areas/${encodeURIComponent(pcode)}`, body),

    listIncidents: (filters: ListFilters = {}) => call<IncidentPage>('GET', `/incidents${query(filters)}`),
    getIncident: (id: string, include?: 'narrative_confidential' | 'identities' | 'all') =>
      call<IncidentView>('GET', `/incidents/${encodeURIComponent(id)}${query({ include })}`),
    createIncident: (body: IncidentCreate) => call<IncidentView>('POST', '/incidents', body),
    /** Offline intake (issue 7): idempotent by the device-chosen id; the answer is the receipt. */
    pushReport: (report: { id: string; type: 'incident'; created_at: string; payload: IncidentCreate }) =>
      call<{ id: string; received_at: string; sha256: string }>('POST', '/reports', report),
    syncChanges: (cursor?: string) => call<{ reset: boolean; changes: { id: string; version: number; changed_at: string; record: IncidentView }[]; has_more: boolean; next_cursor: string }>(
      'GET', `/sync/changes${query({ cursor })}`),
    // Offline sync (issue 7): conflicting versions for a person to resolve; what waits on each device.
    syncConflicts: () => call<{ items: {
      report_id: string; sha256: string; received_at: string; device_created_at: string | null; version: number;
      fields: { field: string; stored: unknown; kept: unknown }[]; violations_differ: boolean;
    }[] }>('GET', '/sync/conflicts'),
    resolveSyncConflict: (reportId: string, sha256: string, body: { version: number; take: string[] }) =>
      call<{ report_id: string; sha256: string; version: number; taken: string[] }>('POST', `/sync/conflicts/${encodeURIComponent(reportId)}/${encodeURIComponent(sha256)}/resolve`, body),
    incidentAttachments: (incidentId: string) => call<{ items: { id: string; filename: string; media_type: string; size_bytes: number; uploaded_by: string; completed_at: string }[] }>(
      'GET', `/incidents/${encodeURIComponent(incidentId)}/attachments`),
    // Offline edits (issue 7): merged field by field on the server; the same field changed on two devices waits for a person.
    pushEdits: (edits: EditPush[]) => call<{ results: { id: string; status: number; outcome?: EditOutcome; error?: { code: string; message: string } }[] }>('POST', '/sync/edits', { edits }),
    editConflicts: () => call<{ items: EditConflict[] }>('GET', '/sync/edit-conflicts'),
    resolveEditConflict: (conflictId: string, body: { version: number; take: 'device' | 'stored' }) =>
      call<{ conflict_id: string; incident_id: string; field: string; resolution: 'device' | 'stored'; version: number }>('POST', `/sync/edit-conflicts/${encodeURIComponent(conflictId)}/resolve`, body),
    reportOutboxStatus: (body: { device_id: string; waiting: number; oldest_queued_at: string | null; conflicts: number; refused: number }) =>
      call<null>('POST', '/sync/outbox-status', body),
    waitingOnDevices: () => call<{ items: {
      user_id: string; username: string; display_name: string; device_id: string; waiting: number;
      oldest_queued_at: string | null; conflicts: number; refused: number; reported_at: string;
    }[] }>('GET', '/sync/waiting'),
    updateIncident: (id: string, body: IncidentUpdate) => call<IncidentView>('PATCH', `/incidents/${encodeURIComponent(id)}`, body),
    addViolation: (incidentId: string, body: ViolationInput) => call<ViolationView>('POST', `/incidents/${encodeURIComponent(incidentId)}/violations`, body),
    /** Lists given (tallies, victims…) replace the stored ones; the version read guards against a lost update. */
    updateViolation: (id: string, body: ViolationUpdate) => call<ViolationView>('PATCH', `/violations/${encodeURIComponent(id)}`, body),

    listViolations: (filters: ListFilters = {}) => call<ViolationPage>('GET', `/violations${query(filters)}`),
    getViolation: (id: string) => call<ViolationView>('GET', `/violations/${encodeURIComponent(id)}`),
    verify: (id: string, body: VerificationRequest) => call<ViolationView>('POST', `/violations/${encodeURIComponent(id)}/verification`, body),
    verificationHistory: (id: string) => call<{ violation_id: string; events: VerificationEvent[] }>('GET', `/violations/${encodeURIComponent(id)}/verification`),

    users: () => call<{ items: UserView[] }>('GET', '/users'),
    createUser: (body: { username: string; display_name: string; role: string; scope: { country: string | null; areas: string[]; agency: string | null } }) =>
      call<{ user: UserView; one_time_password?: string }>('POST', '/users', body),
    revokeSessions: (userId: string) => call<{ revoked_sessions: number }>('POST', `/users/${encodeURIComponent(userId)}/sessions/revoke`),
    resetSecondFactor: (userId: string) => call<{ revoked_sessions: number }>('POST', `/users/${encodeURIComponent(userId)}/second-factor/reset`),

    audit: (params: { action?: string; cursor?: string; limit?: number } = {}) => call<{ items: AuditEvent[]; next_cursor: string | null }>('GET', `/audit${query(params)}`),

    annualReport: (year: number, publicForm: boolean) => call<ReportView>('GET', `/reports/annual${query({ year, public: publicForm })}`),
    ghnReport: (quarter: string, publicForm: boolean) => call<ReportView>('GET', `/reports/ghn${query({ quarter, public: publicForm })}`),
    /** A download link: the browser sends the session cookie itself (GET needs no CSRF token). */
    reportExportUrl: (report: 'annual' | 'ghn', period: string, publicForm: boolean, format: 'csv' | 'hxl' | 'xlsx') =>
      `/api/v1/reports/${report}${query({ [report === 'annual' ? 'year' : 'quarter']: period, public: publicForm, format })}`,

    // Conduct (SEA, issue 10). Every role but the conduct officer gets empty lists and a 404 for any allegation.
    conductAllegations: () => call<AllegationPage>('GET', '/conduct/allegations'),
    conductAlerts: () => call<ConductAlertPage>('GET', '/conduct/alerts'),
    conductAllegation: (id: string, include?: 'identities' | 'narrative' | 'all') => call<AllegationView>('GET', `/conduct/allegations/${encodeURIComponent(id)}${query({ include })}`),
    createAllegation: (body: AllegationCreate) => call<AllegationView>('POST', '/conduct/allegations', body),
    updateAllegation: (id: string, body: AllegationUpdate) => call<AllegationView>('PATCH', `/conduct/allegations/${encodeURIComponent(id)}`, body),
    addAllegationVictim: (id: string, body: VictimAdd) => call<AllegationView>('POST', `/conduct/allegations/${encodeURIComponent(id)}/victims`, body),
    updateAllegationVictim: (id: string, ref: string, body: VictimUpdate) =>
      call<AllegationView>('PATCH', `/conduct/allegations/${encodeURIComponent(id)}/victims/${encodeURIComponent(ref)}`, body),
    addConductAssistance: (id: string, body: AssistanceCreate) => call<AssistanceView>('POST', `/conduct/allegations/${encodeURIComponent(id)}/assistance`, body),
    updateConductAssistance: (id: string, referralId: string, body: AssistanceUpdate) =>
      call<AssistanceView>('PATCH', `/conduct/allegations/${encodeURIComponent(id)}/assistance/${encodeURIComponent(referralId)}`, body),
    conductAggregate: (year: number, publicForm: boolean) => call<ConductAggregateView>('GET', `/conduct/aggregate${query({ year, public: publicForm })}`),

    // Hotspot alerts (issue 9): the server lists only the alerts of the caller's areas; analysts get no incident ids.
    hotspotAlerts: () => call<{ items: HotspotAlert[] }>('GET', '/hotspot-alerts'),
    acknowledgeHotspotAlert: (id: string) => call<HotspotAlert>('POST', `/hotspot-alerts/${encodeURIComponent(id)}/acknowledge`),

    // Cases (issue 8): a case worker sees the cases assigned to them, a supervisor their agency's; analysts the indicators only.
    cases: (params: { status?: 'open' | 'closed'; limit?: number } = {}) => call<CasePage>('GET', `/cases${query(params)}`),
    caseload: () => call<CaseloadView>('GET', '/cases/caseload'),
    caseAlerts: () => call<CaseAlerts>('GET', '/cases/alerts'),
    caseIndicators: (params: { released_from?: string; released_to?: string; whole?: 'true' } = {}) => call<CaseIndicators>('GET', `/cases/indicators${query(params)}`),
    getCase: (id: string, include?: 'identity') => call<CaseView>('GET', `/cases/${encodeURIComponent(id)}${query({ include })}`),
    createCase: (body: CaseCreate) => call<CaseView>('POST', '/cases', body),
    updateCase: (id: string, body: CaseUpdate) => call<CaseView>('PATCH', `/cases/${encodeURIComponent(id)}`, body),
    transitionCase: (id: string, body: CaseTransition) => call<CaseView>('POST', `/cases/${encodeURIComponent(id)}/transitions`, body),
    recordConsent: (id: string, body: ConsentInput) => call<CaseView>('POST', `/cases/${encodeURIComponent(id)}/consents`, body),
    recordRelease: (id: string, body: ReleaseInput) => call<CaseView>('POST', `/cases/${encodeURIComponent(id)}/release`, body),
    recordHandover: (id: string, body: HandoverInput) => call<CaseView>('POST', `/cases/${encodeURIComponent(id)}/release/handover`, body),
    flagReRecruitment: (id: string, body: ReRecruitmentInput) => call<CaseView>('POST', `/cases/${encodeURIComponent(id)}/re-recruitment`, body),
    referCase: (id: string, body: ReferralCreate) => call<ReferralView>('POST', `/cases/${encodeURIComponent(id)}/referrals`, body),
    referrals: () => call<ReferralPage>('GET', '/referrals'),
    respondToReferral: (id: string, body: ReferralStatus) => call<ReferralView>('POST', `/referrals/${encodeURIComponent(id)}/status`, body),
    caseCare: (id: string) => call<CareView>('GET', `/cases/${encodeURIComponent(id)}/care`),
    admitToInterimCare: (id: string, body: PlacementInput) => call<PlacementView>('POST', `/cases/${encodeURIComponent(id)}/interim-care`, body),
    endInterimCare: (id: string, placementId: string, body: PlacementEnd) =>
      call<PlacementView>('POST', `/cases/${encodeURIComponent(id)}/interim-care/${encodeURIComponent(placementId)}/end`, body),
    addReintegrationComponent: (id: string, body: ComponentInput) => call<ComponentView>('POST', `/cases/${encodeURIComponent(id)}/reintegration`, body),
    updateReintegrationComponent: (id: string, componentId: string, body: ComponentUpdate) =>
      call<ComponentView>('PATCH', `/cases/${encodeURIComponent(id)}/reintegration/${encodeURIComponent(componentId)}`, body),
    recordFollowUpVisit: (id: string, visitId: string, body: VisitInput) => call<VisitView>('POST', `/cases/${encodeURIComponent(id)}/followups/${encodeURIComponent(visitId)}`, body),
    recordReunification: (id: string, body: ReunificationInput) => call<ReunificationView>('POST', `/cases/${encodeURIComponent(id)}/reunification`, body),
    recordBestInterests: (id: string, body: BestInterestsInput) => call<BestInterestsView>('POST', `/cases/${encodeURIComponent(id)}/best-interests`, body),
    tracingRequests: () => call<TracingPage>('GET', '/tracing-requests'),
    tracingRequest: (id: string, include?: 'identity') => call<TracingRequestView>('GET', `/tracing-requests/${encodeURIComponent(id)}${query({ include })}`),
    createTracingRequest: (body: TracingRequestCreate) => call<TracingRequestView>('POST', '/tracing-requests', body),
    tracingStep: (id: string, body: { version: number; action: 'start_tracing' | 'note' | 'close'; note?: string }) =>
      call<TracingRequestView>('POST', `/tracing-requests/${encodeURIComponent(id)}/steps`, body),
    runTracingMatch: (id: string) => call<TracingRun>('POST', `/tracing-requests/${encodeURIComponent(id)}/match`),
    decideTracingMatch: (id: string, matchId: string, body: { decision: 'confirmed' | 'rejected'; note: string }) =>
      call<MatchView>('POST', `/tracing-requests/${encodeURIComponent(id)}/matches/${encodeURIComponent(matchId)}/decision`, body),
  };
}

function safeJson(text: string): unknown {
  try { return JSON.parse(text); } catch { return null; }
}

export type Api = ReturnType<typeof createApi>;
export const api: Api = createApi();
