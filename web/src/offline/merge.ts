/**
 * Offline edits of a record pulled to this device. The device does not merge: it pushes each edit with the
 * version it pulled and the values it saw then, and the server merges field by field (POST /sync/edits,
 * src/modules/sync/edit-merge.ts): a field changed on both sides to different values is a conflict for a
 * person, never last-write-wins.
 */

/** JSON with keys sorted at every depth: a value pulled and the same value edited compare equal whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/* ---------- offline edits pushed through sync (POST /api/v1/sync/edits): the server merges ---------- */

/** The fields an offline edit may change, as the server merges them (src/modules/sync/edit-merge.ts). */
export const EDIT_FIELDS = ['title', 'status', 'date', 'first_reported_on', 'location', 'narrative_public', 'narrative_confidential'] as const;
export type EditField = (typeof EDIT_FIELDS)[number];

export interface EditPush {
  id: string; incident_id: string; base_version: number; edited_at: string;
  base: Partial<Record<EditField, unknown>>; changes: Partial<Record<EditField, unknown>>;
}
export interface EditOutcome {
  id: string; incident_id: string; status: 'applied' | 'merged' | 'conflict'; version: number;
  applied: EditField[]; unchanged: EditField[]; conflicts: { conflict_id: string; field: EditField }[];
}
export interface EditConflict {
  conflict_id: string; incident_id: string; edit_id: string; field: EditField; base: unknown; device: unknown; stored: unknown;
  detected_version: number; detected_at: string; version: number;
  resolution: 'device' | 'stored' | null; resolved_by: string | null; resolved_at: string | null; resolved_version: number | null;
}

/** A pulled record's editable values, in the shape the server compares. */
export function editValues(record: { title: string; status: string; date: unknown; first_reported_on: string | null;
  location: { admin_pcode: string; location_type: string | null; coordinates: unknown }; narrative: { public: string; confidential?: string } }): Partial<Record<EditField, unknown>> {
  return {
    title: record.title, status: record.status, date: record.date, first_reported_on: record.first_reported_on,
    location: { admin_pcode: record.location.admin_pcode, location_type: record.location.location_type, coordinates: record.location.coordinates },
    narrative_public: record.narrative.public,
    ...(record.narrative.confidential !== undefined && { narrative_confidential: record.narrative.confidential }),
  };
}

/**
 * The edit to push: only the fields changed on this device, each with the value it had in the pulled
 * version (the common version the server merges against). Null when nothing changed.
 */
export function editToPush(id: string, pulled: { id: string; version: number; values: Partial<Record<EditField, unknown>> },
  edited: Partial<Record<EditField, unknown>>, editedAt = new Date()): EditPush | null {
  const changes: EditPush['changes'] = {};
  const base: EditPush['base'] = {};
  for (const field of EDIT_FIELDS) {
    if (!(field in edited) || same(edited[field], pulled.values[field])) continue;
    changes[field] = edited[field];
    if (field in pulled.values) base[field] = pulled.values[field];
  }
  if (Object.keys(changes).length === 0) return null;
  return { id, incident_id: pulled.id, base_version: pulled.version, edited_at: editedAt.toISOString(), base, changes };
}

/** What the device shows for a record: the values it started from, with its edits still waiting applied in order. */
export function withPending(values: Partial<Record<EditField, unknown>>, pending: readonly EditPush[]): Partial<Record<EditField, unknown>> {
  const shown = { ...values };
  for (const e of pending) Object.assign(shown, e.changes);
  return shown;
}

/**
 * One edit standing for the edits of this record still on the device plus the values just saved: each
 * field keeps the base it had when first changed here (what the device saw before any of its changes),
 * and the oldest base version, so the server still compares every field against what this device last
 * saw. A field set back to that base is no change. Null when nothing is left to send.
 */
export function foldEdits(id: string, pulled: { id: string; version: number; values: Partial<Record<EditField, unknown>> },
  pending: readonly EditPush[], edited: Partial<Record<EditField, unknown>>, editedAt = new Date()): EditPush | null {
  const shown = withPending(pulled.values, pending);
  const changes: EditPush['changes'] = {};
  const base: EditPush['base'] = {};
  for (const e of pending) {
    for (const field of Object.keys(e.changes) as EditField[]) {
      changes[field] = e.changes[field];
      if (!(field in base) && field in e.base) base[field] = e.base[field];
    }
  }
  for (const field of EDIT_FIELDS) {
    if (!(field in edited) || same(edited[field], shown[field])) continue;
    changes[field] = edited[field];
    if (!(field in base) && field in pulled.values) base[field] = pulled.values[field];
  }
  for (const field of Object.keys(changes) as EditField[]) {
    if (field in base && same(changes[field], base[field])) { delete changes[field]; delete base[field]; }
  }
  if (Object.keys(changes).length === 0) return null;
  const baseVersion = Math.min(pulled.version, ...pending.map((e) => e.base_version));
  return { id, incident_id: pulled.id, base_version: baseVersion, edited_at: editedAt.toISOString(), base, changes };
}
