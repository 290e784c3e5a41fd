import { ApiError, type Api } from '../api/client.ts';
import type { IncidentCreate } from '../api/types.ts';
import { idb } from './idb.ts';
import type { EditOutcome, EditPush } from './merge.ts';
import { deviceRecords } from './records.ts';
import { uuid7 } from './uuid7.ts';
import { vault, type Sealed } from './vault.ts';

/**
 * Reports saved on the device and not yet acknowledged by the server. An item leaves the outbox only
 * when the server hands back a receipt for its id; a network failure or a 5xx retries with exponential
 * backoff and full jitter (no cap on the number of tries: a monitor may be out of reach for weeks); a
 * refusal or a conflict waits for a person. Edits of incidents made offline wait here too, sealed the
 * same way, and go through POST /sync/edits, which merges them field by field.
 *
 * A report not yet received can be changed in place (same id: the server has never seen it, so its
 * idempotency by id stays right). A refused edit holds every later edit of the same incident until the
 * person corrects it (the correction replaces it) or discards it: nothing is sent on top of a refusal.
 */
export interface OutboxItem {
  id: string;
  /** Absent on items saved before edits were queued: those are reports. */
  kind?: 'report' | 'edit';
  queued_at: string;
  attempts: number;
  next_at: number;
  state: 'waiting' | 'refused' | 'conflict';
  /** The server's error code of the last failed try, and its message: the reason shown to the person. */
  last_error: string | null;
  last_message?: string | null;
  /** When the person last changed this item on the device (a report corrected before it was sent). */
  revised_at?: string;
  sealed: Sealed;
}
/** An item as the sync screen lists it: with the incident it concerns once the vault is open. */
export interface OutboxEntry extends OutboxItem { incident_id: string | null; held: boolean }
export interface Receipt { id: string; received_at: string; sha256: string }
/** The server's answer to an edit, kept so the person sees what became of it (ids and counts only: no content). */
export interface EditResult { id: string; incident_id: string; status: EditOutcome['status']; version: number; conflicts: number; at: string }
export interface ReportEnvelope { id: string; type: 'incident'; created_at: string; payload: IncidentCreate }

const BASE_MS = 2_000;
const CAP_MS = 10 * 60_000;
export const backoffMs = (attempts: number, random = Math.random()) => Math.round(random * Math.min(CAP_MS, BASE_MS * 2 ** attempts));

const listeners = new Set<() => void>();
const notify = () => { for (const l of listeners) l(); };
let flushing: Promise<void> | null = null;
/** Roles that hold incident records (monitor, verifier) also pull copies of them to the device. */
let holdsRecords = false;

/**
 * Pushing and changing items take turns: a report is never rewritten while its push is in flight (the
 * receipt would then delete the correction), and an edit is never folded into one being sent.
 */
let turn: Promise<unknown> = Promise.resolve();
function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const next = turn.then(fn, fn);
  turn = next.catch(() => undefined);
  return next;
}

export const outbox = {
  subscribe(fn: () => void): () => void { listeners.add(fn); return () => listeners.delete(fn); },

  /** Saves a report sealed under the vault key; resolves once IndexedDB has committed it. */
  async enqueue(report: ReportEnvelope): Promise<void> {
    await save(report.id, 'report', report);
  },

  /** What is waiting and since when: readable while locked (no content in it). */
  items: () => idb.all<OutboxItem>('outbox'),
  receipts: async () => (await idb.get<{ k: string; list: Receipt[] }>('meta', 'receipts'))?.list ?? [],
  editResults: async () => (await idb.get<{ k: string; list: EditResult[] }>('meta', 'edit-results'))?.list ?? [],

  /** Pushes every due item (one at a time: the server answers each with a receipt), then pulls copies. */
  flush(api: Api, now = Date.now()): Promise<void> {
    flushing ??= exclusive(() => run(api, now)).then(() => reportStatus(api))
      .then(() => (holdsRecords ? deviceRecords.pull(api) : undefined)).finally(() => { flushing = null; notify(); });
    return flushing;
  },

  /** Every item with the incident it concerns and whether a refusal holds it. Needs the vault open for the ids of edits. */
  async entries(): Promise<OutboxEntry[]> {
    const items = await idb.all<OutboxItem>('outbox');
    const stopped = new Set<string>();
    const out: OutboxEntry[] = [];
    for (const item of items) {
      const incidentId = item.kind === 'edit' ? (vault.isUnlocked() ? (await vault.open<EditPush>(item.sealed)).incident_id : null) : item.id;
      const held = item.kind === 'edit' && item.state === 'waiting' && incidentId !== null && stopped.has(incidentId);
      if (item.kind === 'edit' && item.state !== 'waiting' && incidentId) stopped.add(incidentId);
      out.push({ ...item, incident_id: incidentId, held });
    }
    return out;
  },

  /** What waits here for one incident: its report (when not yet received) and its edits, opened. Needs the vault open. */
  async pendingFor(incidentId: string): Promise<{ report: { item: OutboxItem; envelope: ReportEnvelope } | null; edits: { item: OutboxItem; edit: EditPush }[] }> {
    let report: { item: OutboxItem; envelope: ReportEnvelope } | null = null;
    const edits: { item: OutboxItem; edit: EditPush }[] = [];
    for (const item of await idb.all<OutboxItem>('outbox')) {
      if (item.kind === 'edit') {
        const edit = await vault.open<EditPush>(item.sealed);
        if (edit.incident_id === incidentId) edits.push({ item, edit });
      } else if (item.id === incidentId) {
        report = { item, envelope: await vault.open<ReportEnvelope>(item.sealed) };
      }
    }
    return { report, edits };
  },

  /**
   * Changes a report still waiting on the device. 'gone' when its receipt came meanwhile: the server holds
   * the first content, and the caller then sends the change as an edit of the record instead.
   */
  reviseReport(id: string, revise: (report: ReportEnvelope) => ReportEnvelope): Promise<'revised' | 'gone'> {
    return exclusive(async () => {
      const item = await idb.get<OutboxItem>('outbox', id);
      if (!item || item.kind === 'edit') return 'gone';
      const report = revise(await vault.open<ReportEnvelope>(item.sealed));
      await idb.put('outbox', { ...item, state: 'waiting', attempts: 0, next_at: 0, last_error: null, last_message: null,
        revised_at: new Date().toISOString(), sealed: await vault.seal(report) } satisfies OutboxItem);
      notify();
      return 'revised';
    });
  },

  /**
   * Saves a change of an incident as one edit that replaces the edits of it still on the device (waiting or
   * refused): `build` folds them with the new values. A new id each time: the server answers a retried id with
   * its first outcome, so reusing one could drop the new values if the old edit had in fact arrived.
   */
  saveEditOf(incidentId: string, build: (pending: EditPush[]) => EditPush | null): Promise<'saved' | 'nothing'> {
    return exclusive(async () => {
      const { edits } = await outbox.pendingFor(incidentId);
      const edit = build(edits.map((e) => e.edit));
      if (edit) await save(edit.id, 'edit', edit);
      for (const e of edits) await idb.delete('outbox', e.item.id);
      notify();
      return edit ? 'saved' : 'nothing';
    });
  },

  /**
   * The person gives up a report the server refused (after confirming): some refusals cannot be corrected
   * on the device (a violation's party, say, which only the online form changes), and a report that can
   * never be sent would otherwise keep the device store from ever being wiped at logout.
   */
  discardRefusedReport(id: string): Promise<void> {
    return exclusive(async () => {
      const item = await idb.get<OutboxItem>('outbox', id);
      if (item?.kind === 'report' && item.state === 'refused') await idb.delete('outbox', id);
      notify();
    });
  },

  /** The person gives up an edit (after a refusal): the edits it held go next. Reports are corrected, never discarded here. */
  discardEdit(id: string): Promise<void> {
    return exclusive(async () => {
      const item = await idb.get<OutboxItem>('outbox', id);
      if (item?.kind === 'edit') await idb.delete('outbox', id);
      notify();
    });
  },
};

async function save(id: string, kind: 'report' | 'edit', content: ReportEnvelope | EditPush): Promise<void> {
  const item: OutboxItem = { id, kind, queued_at: new Date().toISOString(), attempts: 0, next_at: 0, state: 'waiting', last_error: null, sealed: await vault.seal(content) };
  await idb.put('outbox', item);
  notify();
}

async function run(api: Api, now: number): Promise<void> {
  if (!vault.isUnlocked()) return;
  // Edits of one record apply in the order they were made (ids are UUID v7: the store lists them by
  // save time): while one waits or stands refused, the later edits of that record wait behind it.
  const held = new Set<string>();
  for (const item of await idb.all<OutboxItem>('outbox')) {
    if (item.state !== 'waiting' && item.kind !== 'edit') continue;
    let outcome: 'sent' | 'failed' | 'offline';
    if (item.kind === 'edit') {
      const edit = await vault.open<EditPush>(item.sealed);
      if (item.state !== 'waiting' || item.next_at > now || held.has(edit.incident_id)) { held.add(edit.incident_id); continue; }
      outcome = await attempt(item, () => pushEdit(api, edit));
      if (outcome !== 'sent') held.add(edit.incident_id);
    } else {
      if (item.next_at > now) continue;
      const report = await vault.open<ReportEnvelope>(item.sealed);
      outcome = await attempt(item, async () => {
        const receipt = await api.pushReport(report);
        if (receipt.id !== item.id) throw new Error('receipt for another report');
        await keepReceipt(receipt);
      });
    }
    notify();
    if (outcome === 'offline') break; // the rest would fail the same way
  }
}

/** One push; the device copy is deleted only once `send` has the server's acknowledgement. */
async function attempt(item: OutboxItem, send: () => Promise<void>): Promise<'sent' | 'failed' | 'offline'> {
  try {
    await send();
    await idb.delete('outbox', item.id); // only now: the server holds it
    return 'sent';
  } catch (err) {
    const transient = !(err instanceof ApiError) || err.status === 0 || err.status >= 500 || err.status === 429 || err.status === 401;
    const attempts = item.attempts + 1;
    await idb.put('outbox', {
      ...item, attempts, last_error: err instanceof ApiError ? err.code : String(err), last_message: err instanceof Error ? err.message : null,
      state: transient ? 'waiting' : err.code === 'report.conflict' ? 'conflict' : 'refused',
      next_at: Date.now() + backoffMs(attempts),
    } satisfies OutboxItem);
    return err instanceof ApiError && err.status === 0 ? 'offline' : 'failed';
  }
}

/**
 * The server answers each edit on its own line: an outcome (applied, merged, or conflict: a person
 * then chooses on the sync screen) is the acknowledgement; an error line is classed like a response.
 */
async function pushEdit(api: Api, edit: EditPush): Promise<void> {
  const { results } = await api.pushEdits([edit]);
  const line = results.find((r) => r.id === edit.id);
  if (!line) throw new Error('no answer for this edit');
  if (!line.outcome) throw new ApiError(line.status, line.error?.code ?? `http.${line.status}`, line.error?.message ?? '', null, null);
  const o = line.outcome;
  const list = await outbox.editResults();
  const result: EditResult = { id: o.id, incident_id: o.incident_id, status: o.status, version: o.version, conflicts: o.conflicts.length, at: new Date().toISOString() };
  await idb.put('meta', { k: 'edit-results', list: [result, ...list.filter((x) => x.id !== o.id)].slice(0, 50) });
}

/**
 * Tells the server what waits here (counts and the oldest save time, nothing else), so a supervisor
 * sees it. Sent when the summary changed or every ten minutes; a failure is retried next time.
 */
let lastStatus: { key: string; at: number } | null = null;
let statusRefused = false; // a role without an outbox (administrator, analyst): never ask, or stop after a 403
async function reportStatus(api: Api): Promise<void> {
  if (statusRefused) return;
  const items = await idb.all<OutboxItem>('outbox');
  const status = {
    waiting: items.length,
    oldest_queued_at: items.map((i) => i.queued_at).sort()[0] ?? null,
    conflicts: items.filter((i) => i.state === 'conflict').length,
    refused: items.filter((i) => i.state === 'refused').length,
  };
  const key = JSON.stringify(status);
  if (lastStatus && lastStatus.key === key && Date.now() - lastStatus.at < 10 * 60_000) return;
  let device = (await idb.get<{ k: string; id: string }>('meta', 'device'))?.id;
  if (!device) {
    device = uuid7();
    await idb.put('meta', { k: 'device', id: device });
  }
  try {
    await api.reportOutboxStatus({ device_id: device, ...status });
    lastStatus = { key, at: Date.now() };
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) statusRefused = true; // otherwise offline or signed out: next flush
  }
}

async function keepReceipt(r: Receipt): Promise<void> {
  const list = await outbox.receipts();
  await idb.put('meta', { k: 'receipts', list: [r, ...list.filter((x) => x.id !== r.id)].slice(0, 50) });
}

/** Retries when the network returns and every few seconds while the vault is open. */
/** `reportsStatus`: only roles that record reports tell supervisors what waits on their device (the server refuses others). */
export function startSyncLoop(api: Api, options: { reportsStatus: boolean }): () => void {
  statusRefused = !options.reportsStatus;
  holdsRecords = options.reportsStatus;
  const kick = () => { if (navigator.onLine) void outbox.flush(api); };
  window.addEventListener('online', kick);
  const timer = setInterval(kick, 5_000);
  const off = vault.subscribe(kick);
  return () => { window.removeEventListener('online', kick); clearInterval(timer); off(); };
}
