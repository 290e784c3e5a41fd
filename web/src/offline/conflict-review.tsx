import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, type Api } from '../api/client.ts';
import type { EditConflict } from './merge.ts';

type Conflict = Awaited<ReturnType<Api['syncConflicts']>>['items'][number];

/** A value as a person reads it: text as is, a date or place by its parts, nothing as a dash. */
function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value !== 'object') return String(value);
  return Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ');
}

/**
 * A conflict list read from the server: read again when `reloadKey` changes and when the network returns
 * (read while offline, it shows a note instead).
 */
function useConflictList<T>(fetch: () => Promise<{ items: T[] }>, reloadKey: string): { items: T[] | null; error: string | null; load: () => void } {
  const { t } = useTranslation();
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    fetch().then((r) => { setItems(r.items); setError(null); })
      .catch((err: unknown) => setError(err instanceof ApiError && err.status === 0 ? t('offline.conflictsOffline') : err instanceof Error ? err.message : String(err)));
  }, [fetch, t]);
  useEffect(load, [load, reloadKey]);
  useEffect(() => {
    window.addEventListener('online', load);
    return () => window.removeEventListener('online', load);
  }, [load]);
  return { items, error, load };
}

/**
 * Reports that reached the server twice with different content (issue 7). For each differing field the
 * person sees the stored value and the other version's, and picks one; nothing is taken by default, so
 * a conflict is never settled by whoever synced last. Both versions stay on the server either way.
 */
export function ConflictReview({ reloadKey = '' }: { reloadKey?: string }) {
  const { t } = useTranslation();
  const { items, error, load } = useConflictList<Conflict>(api.syncConflicts, reloadKey);
  if (error) return <p className="conflicts-note">{error}</p>;
  if (items === null) return null;
  return (
    <section className="conflicts" aria-labelledby="conflicts-heading">
      <h2 id="conflicts-heading">{t('offline.conflictsTitle')}</h2>
      {items.length === 0 ? <p>{t('offline.noConflicts')}</p> : items.map((c) => <ConflictCard key={`${c.report_id}/${c.sha256}`} c={c} onDone={load} />)}
      <EditConflictReview reloadKey={reloadKey} />
    </section>
  );
}

/**
 * Fields of one record edited on two devices since their common version (POST /sync/edits found them).
 * The person sees the value stored on the server and the device's, with the one both started from, and
 * keeps one; nothing is chosen by default. The server keeps both values in the record's history.
 */
function EditConflictReview({ reloadKey }: { reloadKey: string }) {
  const { t } = useTranslation();
  const { items, error, load } = useConflictList<EditConflict>(api.editConflicts, reloadKey);
  if (error) return <p className="conflicts-note">{error}</p>;
  if (items === null) return null;
  return (
    <>
      <h2 id="edit-conflicts-heading">{t('offline.editConflictsTitle')}</h2>
      {items.length === 0 ? <p>{t('offline.noEditConflicts')}</p> : items.map((c) => <EditConflictCard key={c.conflict_id} c={c} onDone={load} />)}
    </>
  );
}

function EditConflictCard({ c, onDone }: { c: EditConflict; onDone: () => void }) {
  const { t } = useTranslation();
  const [take, setTake] = useState<'device' | 'stored' | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    if (!take) return;
    setBusy(true);
    setError(null);
    try {
      await api.resolveEditConflict(c.conflict_id, { version: c.version, take });
      onDone();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'record.conflict') onDone();
      setError(err instanceof ApiError && err.code === 'record.conflict' ? t('offline.conflictStale') : err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };
  return (
    <form className="conflict-card" data-testid="edit-conflict" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <fieldset className="conflict-field">
        <legend><a href={`/incidents/${c.incident_id}`}><code>{c.incident_id.slice(0, 8)}</code></a> — {t(`offline.field_${c.field}`)}</legend>
        <p className="conflicts-note">{t('offline.conflictCommon', { value: show(c.base) })}</p>
        {(['stored', 'device'] as const).map((side) => (
          <label key={side} className="conflict-choice">
            <input type="radio" name={`edit-${c.conflict_id}`} value={side} checked={take === side} onChange={() => setTake(side)} />
            <span className="conflict-side">{t(side === 'stored' ? 'offline.conflictStored' : 'offline.conflictDevice')}</span>
            <span className="conflict-value" dir="auto">{show(c[side])}</span>
          </label>
        ))}
      </fieldset>
      {error && <p role="alert" className="error">{error}</p>}
      <button type="submit" disabled={busy || take === null}>{take === null ? t('offline.conflictChooseAll', { n: 1 }) : t('offline.conflictKeepChoice')}</button>
    </form>
  );
}

function ConflictCard({ c, onDone }: { c: Conflict; onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const [choice, setChoice] = useState<Record<string, 'stored' | 'kept'>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const undecided = c.fields.filter((f) => !choice[f.field]).length;
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.resolveSyncConflict(c.report_id, c.sha256, { version: c.version, take: c.fields.filter((f) => choice[f.field] === 'kept').map((f) => f.field) });
      onDone();
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'record.conflict' ? t('offline.conflictStale') : err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };
  return (
    <form className="conflict-card" data-testid="conflict" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <h3><a href={`/incidents/${c.report_id}`}><code>{c.report_id.slice(0, 8)}</code></a> — {t('offline.conflictReceived', { at: new Date(c.received_at).toLocaleString(i18n.language) })}</h3>
      {c.violations_differ && <p className="conflicts-note">{t('offline.conflictViolations')}</p>}
      {c.fields.map((f) => (
        <fieldset key={f.field} className="conflict-field">
          <legend>{t(`offline.field_${f.field}`)}</legend>
          {(['stored', 'kept'] as const).map((side) => (
            <label key={side} className="conflict-choice">
              <input type="radio" name={`${c.report_id}-${f.field}`} value={side} checked={choice[f.field] === side}
                onChange={() => setChoice({ ...choice, [f.field]: side })} />
              <span className="conflict-side">{t(side === 'stored' ? 'offline.conflictStored' : 'offline.conflictKept')}</span>
              <span className="conflict-value" dir="auto">{show(f[side])}</span>
            </label>
          ))}
        </fieldset>
      ))}
      {error && <p role="alert" className="error">{error}</p>}
      <button type="submit" disabled={busy || undecided > 0}>
        {undecided > 0 ? t('offline.conflictChooseAll', { n: undecided }) : t('offline.conflictResolve')}
      </button>
    </form>
  );
}
