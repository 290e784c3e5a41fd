import { AGE_BANDS } from '../../../../src/modules/mrm/vocabulary.ts';
import type { AgeBand, IncidentCreate, ViolationType } from '../../api/types.ts';

/**
 * The form's working state. Only this is written to the draft in sessionStorage; the confidential
 * narrative is not part of it, and the form asks for no names, so a draft never holds an identity.
 */
export interface TallyDraft { boys: string; girls: string; sex_unknown: string }
/** Pseudonymous references only: names are never part of a draft. */
export interface VictimDraft { ref: string; sex: 'female' | 'male' | 'unknown'; age: string; ageEstimated: boolean }
export interface SourceDraft {
  ref: string;
  category: 'primary_victim' | 'primary_witness' | 'primary_alleged_perpetrator' | 'secondary';
  type: 'oral_testimony' | 'written_statement' | 'document' | 'photo' | 'video' | 'direct_observation' | 'satellite_imagery' | 'physical_evidence' | 'injuries' | 'other';
  unTrainedMonitor: boolean;
  reliability: '' | 'high' | 'medium' | 'low';
  credibility: '' | 'high' | 'medium' | 'low';
}
export interface ViolationDraft {
  key: string;
  type: ViolationType | '';
  details: Record<string, unknown>;
  tallies: Record<AgeBand, TallyDraft>;
  perpetrators: { party_id: string; attribution_verified: boolean }[];
  crossborder: 'yes' | 'no' | 'unknown';
  crossfire: boolean;
  /** Absent in drafts saved before victims and sources were in the form. */
  victims?: VictimDraft[];
  sources?: SourceDraft[];
}
export interface IncidentDraft {
  /** Chosen by the client, so a retried save cannot create the incident twice. */
  id: string;
  title: string;
  dateStart: string;
  dateEnd: string;
  precision: 'day' | 'month' | 'year';
  estimated: boolean;
  firstReported: string;
  pcode: string;
  locationType: string;
  pin: { latitude: string; longitude: string; precision: 'exact' | 'approximate' | 'admin_centroid' } | null;
  narrativePublic: string;
  violations: ViolationDraft[];
}

const DRAFT_KEY = 'tutela.draft.incident';

export function newId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // Outside a secure context randomUUID is missing: build a v4 UUID from random bytes.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const emptyTallies = () => Object.fromEntries(AGE_BANDS.map((b) => [b, { boys: '', girls: '', sex_unknown: '' }])) as Record<AgeBand, TallyDraft>;

export const newViolation = (): ViolationDraft => ({
  key: newId(), type: '', details: {}, tallies: emptyTallies(), perpetrators: [], crossborder: 'unknown', crossfire: false, victims: [], sources: [],
});

export const newDraft = (): IncidentDraft => ({
  id: newId(), title: '', dateStart: '', dateEnd: '', precision: 'day', estimated: false, firstReported: '', pcode: '', locationType: '',
  pin: null, narrativePublic: '', violations: [newViolation()],
});

export function loadDraft(): IncidentDraft | null {
  try {
    const raw = sessionStorage.getItem(DRAFT_KEY);
    if (!raw) return null;
    const d = JSON.parse(raw) as IncidentDraft;
    return typeof d.id === 'string' && Array.isArray(d.violations) ? d : null;
  } catch { return null; }
}

export function saveDraft(d: IncidentDraft): void {
  try { sessionStorage.setItem(DRAFT_KEY, JSON.stringify(d)); } catch { /* storage full or blocked: the form still works */ }
}

export function clearDraft(): void {
  try { sessionStorage.removeItem(DRAFT_KEY); } catch { /* blocked */ }
}

export function isBlank(d: IncidentDraft): boolean {
  return !d.title && !d.dateStart && !d.pcode && !d.narrativePublic && d.violations.every((v) => !v.type);
}

const count = (s: string) => (s.trim() === '' ? 0 : Number(s));

/** The request body the server expects; zod then checks it with the server's own schema. */
export function toRequestBody(d: IncidentDraft, confidential: string): IncidentCreate {
  return {
    id: d.id,
    title: d.title,
    date: { start: d.dateStart, end: d.dateEnd || null, precision: d.precision, estimated: d.estimated },
    first_reported_on: d.firstReported || null,
    location: {
      admin_pcode: d.pcode,
      location_type: d.locationType || null,
      coordinates: d.pin ? { latitude: Number(d.pin.latitude), longitude: Number(d.pin.longitude), precision: d.pin.precision } : null,
    },
    narrative: { public: d.narrativePublic, confidential },
    violations: d.violations.map((v) => ({
      type: v.type as ViolationType,
      details: pruneDetails(v.details),
      crossborder: v.crossborder,
      crossfire: v.crossfire,
      tallies: AGE_BANDS.map((band) => ({ age_band: band, boys: count(v.tallies[band].boys), girls: count(v.tallies[band].girls), sex_unknown: count(v.tallies[band].sex_unknown) }))
        .filter((t) => t.boys + t.girls + t.sex_unknown !== 0 || Number.isNaN(t.boys + t.girls + t.sex_unknown)),
      perpetrators: v.perpetrators.filter((p) => p.party_id),
      victims: (v.victims ?? []).map((x) => ({ ref: x.ref.trim(), sex: x.sex, age: x.age.trim() === '' ? null : Number(x.age), age_estimated: x.ageEstimated })),
      sources: (v.sources ?? []).map((x) => ({
        ref: x.ref.trim(), category: x.category, type: x.type, un_trained_monitor: x.unTrainedMonitor,
        reliability: x.reliability || null, credibility: x.credibility || null,
      })),
    })) as IncidentCreate['violations'],
  };
}

/** Unset choices are left out rather than sent empty (the server's detail schemas are strict). */
function pruneDetails(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([, v]) => v !== '' && v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)));
}
