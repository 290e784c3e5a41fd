import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from '../api/client.ts';
import type { IncidentView } from '../api/types.ts';
import type { EditPush } from '../offline/merge.ts';
import { outbox, type OutboxItem, type ReportEnvelope } from '../offline/outbox.ts';
import { deviceRecords } from '../offline/records.ts';
import { vault } from '../offline/vault.ts';

/** An edit of this incident still on the device (waiting, or refused by the server). */
export interface PendingEdit { item: OutboxItem; edit: EditPush }

/**
 * Where the edit screen's incident comes from (issue 7: every form works with no network):
 * - `server`: read now; edits of it still waiting on the device are shown applied and the save joins them;
 * - `device`: no network, the sealed copy the pull (or an earlier read) left on the device;
 * - `queued`: a report recorded on this device and not yet received: the save corrects it in place.
 */
export type EditSource =
  | { kind: 'server'; incident: IncidentView; pending: PendingEdit[] }
  | { kind: 'device'; incident: IncidentView; pulledAt: string; pending: PendingEdit[] }
  | { kind: 'queued'; report: ReportEnvelope; item: OutboxItem };

export type SourceState =
  | { status: 'loading' }
  /** The answer is sealed on the device: the PIN opens it. `why` picks the message. */
  | { status: 'locked'; why: 'offline' | 'pending' }
  /** Not on the server for this user, and not on the device either (`offline`: the server could not be asked). */
  | { status: 'missing'; offline: boolean }
  | { status: 'error'; error: unknown }
  | { status: 'ready'; source: EditSource };

export function useEditSource(id: string): { state: SourceState; reload(): void } {
  const [state, setState] = useState<SourceState>({ status: 'loading' });
  const [round, setRound] = useState(0);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  useEffect(() => {
    let live = true;
    loadSource(id).then((s) => { if (live) setState(s); }, (error: unknown) => { if (live) setState({ status: 'error', error }); });
    return () => { live = false; };
  }, [id, round]);
  return { state, reload };
}

async function loadSource(id: string): Promise<SourceState> {
  let incident: IncidentView;
  try {
    incident = await api.getIncident(id);
  } catch (err) {
    if (!(err instanceof ApiError) || (err.status !== 0 && err.status !== 404)) throw err;
    if (err.status === 404) await deviceRecords.forget(id).catch(() => undefined); // no longer this user's to see
    return fromDevice(id, err.status === 0 ? 'offline' : 'not_received');
  }
  if (!vault.isUnlocked()) {
    // Edits waiting here go first, in order: with some waiting, the save must know whether they concern this incident.
    const waitingEdits = (await outbox.items()).some((i) => i.kind === 'edit');
    return waitingEdits ? { status: 'locked', why: 'pending' } : { status: 'ready', source: { kind: 'server', incident, pending: [] } };
  }
  await deviceRecords.keep(incident);
  const { edits } = await outbox.pendingFor(id);
  return { status: 'ready', source: { kind: 'server', incident, pending: edits } };
}

/** No network (or not yet on the server): the report waiting in the outbox, else the pulled copy. */
async function fromDevice(id: string, why: 'offline' | 'not_received'): Promise<SourceState> {
  const offline = why === 'offline';
  if (!(await vault.isSetUp())) return { status: 'missing', offline };
  if (!vault.isUnlocked()) return { status: 'locked', why: 'offline' };
  const { report, edits } = await outbox.pendingFor(id);
  if (report) return { status: 'ready', source: { kind: 'queued', report: report.envelope, item: report.item } };
  if (!offline) return { status: 'missing', offline };
  const copy = await deviceRecords.get(id);
  if (!copy) return { status: 'missing', offline };
  return { status: 'ready', source: { kind: 'device', incident: copy.record, pulledAt: copy.pulled_at, pending: edits } };
}
