/**
 * Three-way merge of an edit made on this device with the server's current record, field by field,
 * against the version both started from (`base`). A field changed on only one side is taken from that
 * side; a field changed on both sides to different values is a conflict for a person to decide: never
 * last-write-wins. The server's side of this is PATCH with `version`: a stale version answers 409
 * `record.conflict`; the device then pulls the record (GET or /sync/changes), merges here, shows the
 * conflicts, and sends the result with the new version.
 */
export interface FieldConflict { field: string; base: unknown; mine: unknown; theirs: unknown }
export interface MergeResult { patch: Record<string, unknown>; conflicts: FieldConflict[] }

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function mergeEdit(base: Record<string, unknown>, mine: Record<string, unknown>, theirs: Record<string, unknown>): MergeResult {
  const patch: Record<string, unknown> = {};
  const conflicts: FieldConflict[] = [];
  for (const field of Object.keys(mine)) {
    const b = base[field];
    const m = mine[field];
    const t = theirs[field];
    if (same(m, b) || same(m, t)) continue; // not changed here, or both made the same change
    if (same(t, b)) patch[field] = m; // changed only here
    else conflicts.push({ field, base: b, mine: m, theirs: t });
  }
  return { patch, conflicts };
}

/** The person's choice for each conflicting field, added to the patch. */
export function resolve(result: MergeResult, choices: Record<string, 'mine' | 'theirs'>): Record<string, unknown> {
  const patch = { ...result.patch };
  for (const c of result.conflicts) if (choices[c.field] === 'mine') patch[c.field] = c.mine;
  return patch;
}
