import { ApiError, type Api } from '../api/client.ts';
import type { IncidentCreate } from '../api/types.ts';
import { idb } from './idb.ts';
import { uuid7 } from './uuid7.ts';
import { vault, type Sealed } from './vault.ts';

/**
 * Reports saved on the device and not yet acknowledged by the server. An item leaves the outbox only
 * when the server hands back a receipt for its id; a network failure or a 5xx retries with exponential
 * backoff and full jitter (no cap on the number of tries: a monitor may be out of reach for weeks); a
 * refusal or a conflict waits for a person.
 */
export interface OutboxItem {
  id: string;
  queued_at: string;
  attempts: number;
  next_at: number;
  state: 'waiting' | 'refused' | 'conflict';
  last_error: string | null;
  sealed: Sealed;
}
export interface Receipt { id: string; received_at: string; sha256: string }
export interface ReportEnvelope { id: string; type: 'incident'; created_at: string; payload: IncidentCreate }

const BASE_MS = 2_000;
const CAP_MS = 10 * 60_000;
export const backoffMs = (attempts: number, random = Math.random()) => Math.round(random * Math.min(CAP_MS, BASE_MS * 2 ** attempts));

const listeners = new Set<() => void>();
const notify = () => { for (const l of listeners) l(); };
let flushing: Promise<void> | null = null;

export const outbox = {
  subscribe(fn: () => void): () => void { listeners.add(fn); return () => listeners.delete(fn); },

  /** Saves a report sealed under the vault key; resolves once IndexedDB has committed it. */
  async enqueue(report: ReportEnvelope): Promise<void> {
    const item: OutboxItem = { id: report.id, queued_at: new Date().toISOString(), attempts: 0, next_at: 0, state: 'waiting', last_error: null, sealed: await vault.seal(report) };
    await idb.put('outbox', item);
    notify();
  },

  /** What is waiting and since when: readable while locked (no content in it). */
  items: () => idb.all<OutboxItem>('outbox'),
  receipts: async () => (await idb.get<{ k: string; list: Receipt[] }>('meta', 'receipts'))?.list ?? [],

  /** Pushes every due item (one at a time: the server answers each with a receipt). */
  flush(api: Api, now = Date.now()): Promise<void> {
    flushing ??= run(api, now).then(() => reportStatus(api)).finally(() => { flushing = null; notify(); });
    return flushing;
  },
};

async function run(api: Api, now: number): Promise<void> {
  if (!vault.isUnlocked()) return;
  for (const item of await idb.all<OutboxItem>('outbox')) {
    if (item.state !== 'waiting' || item.next_at > now) continue;
    const report = await vault.open<ReportEnvelope>(item.sealed);
    try {
      const receipt = await api.pushReport(report);
      if (receipt.id !== item.id) throw new Error('receipt for another report');
      await keepReceipt(receipt);
      await idb.delete('outbox', item.id); // only now: the server holds it
    } catch (err) {
      const transient = !(err instanceof ApiError) || err.status === 0 || err.status >= 500 || err.status === 429 || err.status === 401;
      const attempts = item.attempts + 1;
      await idb.put('outbox', {
        ...item, attempts, last_error: err instanceof ApiError ? err.code : String(err),
        state: transient ? 'waiting' : err.code === 'report.conflict' ? 'conflict' : 'refused',
        next_at: Date.now() + backoffMs(attempts),
      } satisfies OutboxItem);
      if (err instanceof ApiError && err.status === 0) break; // offline: the rest would fail the same way
    }
    notify();
  }
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
  const kick = () => { if (navigator.onLine) void outbox.flush(api); };
  window.addEventListener('online', kick);
  const timer = setInterval(kick, 5_000);
  const off = vault.subscribe(kick);
  return () => { window.removeEventListener('online', kick); clearInterval(timer); off(); };
}
