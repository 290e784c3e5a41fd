import type { Api } from '../api/client.ts';
import type { IncidentView } from '../api/types.ts';
import { idb } from './idb.ts';
import { vault, type Sealed } from './vault.ts';

/**
 * Copies of the incidents this user may see, kept on the device so they open with no network (issue 7,
 * "every form works offline"). Filled by the pull (GET /sync/changes: exactly the records the policy lets
 * this user see, by cursor) and by each incident read online while the device store is open. Each copy
 * is sealed under the vault key like the outbox; only the id, version and pull time are in clear.
 *
 * A reset answer from the server (first pull, changed scope, a day since the last full pull) starts a new
 * generation: when that sequence is complete, copies of an older generation are deleted, which is how a
 * user moved out of an area loses its records from the device.
 */
interface RecordItem { id: string; version: number; pulled_at: string; gen: number; sealed: Sealed }
interface PullState { k: 'pull'; cursor: string | null; gen: number; resetting: boolean; at: string | null }

const PULL_EVERY_MS = 60_000;
/** One pull run reads at most this many pages (100 records each); the next run continues from the cursor. */
const MAX_PAGES = 20;
let lastPullAt = 0;
let pulling: Promise<void> | null = null;
const listeners = new Set<() => void>();
const notify = () => { for (const l of listeners) l(); };

const pullState = async (): Promise<PullState> =>
  (await idb.get<PullState>('meta', 'pull')) ?? { k: 'pull', cursor: null, gen: 0, resetting: false, at: null };

export interface DeviceCopy { record: IncidentView; version: number; pulled_at: string }

export const deviceRecords = {
  subscribe(fn: () => void): () => void { listeners.add(fn); return () => listeners.delete(fn); },

  /** How many copies the device holds and when the pull last completed: readable while locked (no content). */
  async summary(): Promise<{ count: number; pulled_at: string | null }> {
    const [count, state] = await Promise.all([idb.count('records'), pullState()]);
    return { count, pulled_at: state.at };
  },

  /** The sealed copy of one incident, opened; null when the device holds none. Needs the vault open. */
  async get(id: string): Promise<DeviceCopy | null> {
    const item = await idb.get<RecordItem>('records', id);
    if (!item) return null;
    return { record: await vault.open<IncidentView>(item.sealed), version: item.version, pulled_at: item.pulled_at };
  },

  /**
   * Every copy, opened, newest incident date first. Needs the vault open. A copy that no longer opens
   * (sealed under a key since wiped) is dropped rather than hiding all the others; the pull brings it back.
   */
  async list(): Promise<IncidentView[]> {
    const items = await idb.all<RecordItem>('records');
    const opened = await Promise.all(items.map((i) => vault.open<IncidentView>(i.sealed).catch(async () => {
      await idb.delete('records', i.id).catch(() => undefined);
      return null;
    })));
    return opened.filter((r): r is IncidentView => r !== null).sort((a, b) => b.date.start.localeCompare(a.date.start));
  },

  /**
   * At logout with reports still waiting (the device store is kept, locked, for them): the copies and
   * the pull cursor go all the same. They can be pulled again, and the next person to unlock this
   * device must not find the last user's incidents.
   */
  async clear(): Promise<void> {
    lastPullAt = 0;
    await idb.clear('records');
    await idb.delete('meta', 'pull');
    notify();
  },

  /** Keeps the copy just read from the server (when the vault is open; otherwise nothing can be sealed). */
  async keep(record: IncidentView): Promise<void> {
    if (!vault.isUnlocked()) return;
    const state = await pullState();
    // Confidential text is read on request and never kept on the device: the pull leaves it out too.
    const { narrative, ...rest } = record;
    const kept: IncidentView = { ...rest, narrative: { public: narrative.public } };
    await idb.put('records', { id: record.id, version: record.version, pulled_at: new Date().toISOString(), gen: state.gen, sealed: await vault.seal(kept) } satisfies RecordItem);
    notify();
  },

  /** The server no longer shows this incident to this user (404): the device lets its copy go too. */
  async forget(id: string): Promise<void> {
    await idb.delete('records', id);
    notify();
  },

  /** Brings the copies up to date, at most once a minute unless `force`. Only roles that hold incident records. */
  pull(api: Api, force = false): Promise<void> {
    if (!vault.isUnlocked() || (!force && Date.now() - lastPullAt < PULL_EVERY_MS)) return Promise.resolve();
    pulling ??= runPull(api).finally(() => { pulling = null; notify(); });
    return pulling;
  },
};

async function runPull(api: Api): Promise<void> {
  lastPullAt = Date.now();
  let state = await pullState();
  try {
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await api.syncChanges(state.cursor ?? undefined);
      if (answer.reset) state = { ...state, gen: state.gen + 1, resetting: true };
      const pulledAt = new Date().toISOString();
      for (const c of answer.changes) {
        await idb.put('records', { id: c.id, version: c.version, pulled_at: pulledAt, gen: state.gen, sealed: await vault.seal(c.record) } satisfies RecordItem);
      }
      state = { ...state, cursor: answer.next_cursor };
      if (!answer.has_more) {
        if (state.resetting) {
          for (const old of await idb.all<RecordItem>('records')) if (old.gen < state.gen) await idb.delete('records', old.id);
        }
        state = { ...state, resetting: false, at: pulledAt };
      }
      await idb.put('meta', state);
      if (!answer.has_more) break;
    }
  } catch {
    // Offline, signed out, or locked meanwhile: the cursor kept so far is where the next run continues.
  }
}
