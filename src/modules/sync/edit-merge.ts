import { z } from 'zod';
import { canonicalJson } from '../../platform/audit.ts';
import { incidentUpdateBody, type IncidentUpdateInput } from '../mrm/schema.ts';
import type { IncidentRow } from '../mrm/repository.ts';

/**
 * The field-level three-way merge of an offline edit (pure: plain values in, no database). The fields
 * are those of the incident update, with the two narratives apart so that editing one never collides
 * with an edit of the other.
 */
export const EDIT_FIELDS = ['title', 'status', 'date', 'first_reported_on', 'location', 'narrative_public', 'narrative_confidential'] as const;
export type EditField = (typeof EDIT_FIELDS)[number];

const u = incidentUpdateBody.shape;
/** Each field in the shape the update takes; defaults fill what a device may leave out. */
export const editFields = z.strictObject({
  title: u.title,
  status: u.status,
  date: u.date,
  first_reported_on: u.first_reported_on,
  location: u.location,
  narrative_public: z.string().max(5000).optional(),
  narrative_confidential: z.string().max(20000).optional(),
});
export type EditValues = z.infer<typeof editFields>;

/** The record's current values in the same shape (the row with its sealed fields opened). */
export function currentValues(row: IncidentRow): Required<EditValues> {
  const coordinates = row.latitude !== null && row.longitude !== null
    ? { latitude: Number(row.latitude), longitude: Number(row.longitude), precision: row.coordinate_precision as 'exact' | 'approximate' | 'admin_centroid' }
    : null;
  return {
    title: row.title,
    status: row.status as 'open' | 'closed' | 'duplicate',
    date: { start: String(row.date_start), end: row.date_end === null ? null : String(row.date_end), precision: row.date_precision as 'day' | 'month' | 'year', estimated: row.date_estimated },
    first_reported_on: row.first_reported_on === null ? null : String(row.first_reported_on),
    location: { admin_pcode: row.admin_pcode, location_type: row.location_type, coordinates },
    narrative_public: row.narrative_public,
    narrative_confidential: row.narrative_confidential,
  };
}

export const same = (a: unknown, b: unknown): boolean => canonicalJson(a ?? null) === canonicalJson(b ?? null);

export interface FieldConflict { field: EditField; base: unknown; device: unknown; stored: unknown }
export interface EditMerge {
  /** Changed only on the device since the base: applied. */
  apply: Partial<EditValues>;
  /** The device's value is already the record's (the same change made twice, or a retried edit). */
  unchanged: EditField[];
  /** Changed on both sides since the base, to different values: for a person. */
  conflicts: FieldConflict[];
}

/**
 * `base` is what the device saw at `baseVersion`; `seen` optionally gives other forms of the current
 * value the device may have been sent (coordinates as the pull presented them). A field whose base
 * the device does not give can be applied only if the record has not changed since that version.
 */
export function mergeEdit(input: { baseVersion: number; base: Partial<EditValues>; changes: Partial<EditValues> },
  current: { version: number; values: Required<EditValues>; seen?: Partial<EditValues> }): EditMerge {
  const out: EditMerge = { apply: {}, unchanged: [], conflicts: [] };
  const upToDate = input.baseVersion === current.version;
  for (const field of EDIT_FIELDS) {
    if (!(field in input.changes)) continue;
    const device = input.changes[field];
    const stored = current.values[field];
    if (same(device, stored)) {
      out.unchanged.push(field);
      continue;
    }
    const hasBase = field in input.base;
    const base = hasBase ? input.base[field] : undefined;
    const untouchedOnServer = upToDate || (hasBase && (same(base, stored) || (current.seen && field in current.seen && same(base, current.seen[field]))));
    if (untouchedOnServer) (out.apply as Record<string, unknown>)[field] = device;
    else out.conflicts.push({ field, base: hasBase ? base : null, device, stored });
  }
  return out;
}

/** Fields to write, as the incident update takes them. */
export function toUpdate(version: number, values: Partial<EditValues>): IncidentUpdateInput {
  const { narrative_public: pub, narrative_confidential: conf, ...rest } = values;
  return {
    version, ...rest,
    ...((pub !== undefined || conf !== undefined) && { narrative: { ...(pub !== undefined && { public: pub }), ...(conf !== undefined && { confidential: conf }) } }),
  };
}
