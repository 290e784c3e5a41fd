import { useEffect, useState } from 'react';
import i18next from 'i18next';
import { api } from './api/client.ts';
import type { AdminArea, Party } from './api/types.ts';

/** Reference data changes rarely: loaded once per page load and shared by every screen. */
export interface Reference {
  areas: AdminArea[];
  areaByPcode: Map<string, AdminArea>;
  parties: Party[];
  partyById: Map<string, Party>;
}

let pending: Promise<Reference> | null = null;

export function loadReference(): Promise<Reference> {
  pending ??= Promise.all([api.adminAreas(), api.parties()]).then(([a, p]) => ({
    areas: a.items,
    areaByPcode: new Map(a.items.map((x) => [x.pcode, x])),
    parties: p.items,
    partyById: new Map(p.items.map((x) => [x.id, x])),
  })).catch((err: unknown) => { pending = null; throw err; });
  return pending;
}

/** After an administrator's change: the next `loadReference` (the next screen opened) asks the server again. */
export function forgetReference(): void {
  pending = null;
}

export function useReference(): Reference | null {
  const [ref, setRef] = useState<Reference | null>(null);
  useEffect(() => {
    let live = true;
    loadReference().then((r) => { if (live) setRef(r); }, () => undefined);
    return () => { live = false; };
  }, []);
  return ref;
}

/** An area's name in the reader's language when the boundary data has it. */
export function areaName(area: AdminArea | undefined, pcode?: string): string {
  if (!area) return pcode ?? '';
  return area.names[i18next.language] ?? area.name;
}

/** The admin-1 ancestor of an area (the province), for dashboards and reports. */
export function admin1Of(ref: Reference, pcode: string): AdminArea | undefined {
  let area = ref.areaByPcode.get(pcode);
  while (area && area.admin_level > 1 && area.parent_pcode) area = ref.areaByPcode.get(area.parent_pcode);
  return area && area.admin_level === 1 ? area : undefined;
}
