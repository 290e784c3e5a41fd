/**
 * Stable cluster ids. The engine numbers clusters by position, which changes whenever a record arrives; a
 * child's id must not. Each new cluster keeps the stored id held by most of its members (each stored id goes
 * to one cluster at most: the one holding most of its members); a cluster of records never seen gets a new id.
 * So an unrelated record changes no id, a record joining a cluster takes the cluster's id, and when a cluster
 * splits the larger part keeps it.
 */
export function assignClusterIds(groups: readonly (readonly string[])[], stored: ReadonlyMap<string, string>, newId: () => string): string[] {
  const overlaps: { group: number; id: string; count: number }[] = [];
  groups.forEach((refs, group) => {
    const counts = new Map<string, number>();
    for (const ref of refs) {
      const id = stored.get(ref);
      if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const [id, count] of counts) overlaps.push({ group, id, count });
  });
  // Largest overlap first; ties by id then group, so the result does not depend on input order.
  overlaps.sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) || a.group - b.group);
  const ids = new Array<string | undefined>(groups.length).fill(undefined);
  const taken = new Set<string>();
  for (const o of overlaps) {
    if (ids[o.group] !== undefined || taken.has(o.id)) continue;
    ids[o.group] = o.id;
    taken.add(o.id);
  }
  return ids.map((id) => id ?? newId());
}

/** Records grouped by the engine's cluster index. */
export function groupsOf(ids: readonly string[], clusterOf: Int32Array): string[][] {
  const groups = new Map<number, string[]>();
  ids.forEach((id, i) => {
    const c = clusterOf[i]!;
    const g = groups.get(c);
    if (g) g.push(id); else groups.set(c, [id]);
  });
  return [...groups.values()];
}
