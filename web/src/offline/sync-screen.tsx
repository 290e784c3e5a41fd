import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { outbox, type EditResult, type OutboxItem, type Receipt } from './outbox.ts';
import { useSession } from '../session.tsx';
import { ConflictReview } from './conflict-review.tsx';
import { PinGate } from './pin-gate.tsx';
import { vault } from './vault.ts';
import { WaitingDevices } from './waiting-devices.tsx';

/** Who oversees devices rather than holding an outbox: their sync screen is what waits on the others'. */
const overseesDevices = (role: string | undefined) => role === 'admin' || role === 'supervisor';

/** What the device holds and what the server has acknowledged: readable while locked (no content). */
interface OutboxState { items: OutboxItem[]; receipts: Receipt[]; editResults: EditResult[]; unlocked: boolean }
export function useOutbox(): OutboxState {
  const [state, setState] = useState<OutboxState>({ items: [], receipts: [], editResults: [], unlocked: vault.isUnlocked() });
  useEffect(() => {
    let live = true;
    const load = () => void Promise.all([outbox.items(), outbox.receipts(), outbox.editResults()]).then(([items, receipts, editResults]) => {
      if (live) setState({ items, receipts, editResults, unlocked: vault.isUnlocked() });
    }).catch(() => undefined);
    load();
    const offA = outbox.subscribe(load);
    const offB = vault.subscribe(load);
    return () => { live = false; offA(); offB(); };
  }, []);
  return state;
}

/** Header badge: how many reports wait on this device. */
export function SyncBadge() {
  const { t } = useTranslation();
  const { items } = useOutbox();
  const { state } = useSession();
  if (state.status === 'ready' && overseesDevices(state.me.role)) return <a className="sync-badge" href="/outbox">{t('offline.devicesLink')}</a>;
  if (items.length === 0) return null;
  return <a className="sync-badge" href="/outbox" data-testid="sync-badge">{t('offline.waitingCount', { n: items.length })}</a>;
}

export function SyncScreen() {
  const { state } = useSession();
  return state.status === 'ready' && overseesDevices(state.me.role) ? <WaitingDevices /> : <DeviceOutbox />;
}

function DeviceOutbox() {
  const { t, i18n } = useTranslation();
  const { items, receipts, editResults, unlocked } = useOutbox();
  // The review lists reload when a push may have raised a conflict (a new edit answer, a report in conflict).
  const conflictsKey = `${editResults.map((r) => r.id).join()}/${items.filter((i) => i.state === 'conflict').length}`;
  const fmt = (iso: string) => new Date(iso).toLocaleString(i18n.language);
  const oldest = items.map((i) => i.queued_at).sort()[0];
  return (
    <div className="sync-screen">
      <h1 tabIndex={-1}>{t('offline.title')}</h1>
      <p role="status" data-testid="sync-summary">
        {items.length === 0 ? t('offline.allSent') : t('offline.waitingSince', { n: items.length, since: fmt(oldest!) })}
      </p>
      {!unlocked && items.length > 0 && <PinGate onUnlocked={() => void outbox.flush(api)} />}
      {items.length > 0 && (
        <table>
          <thead><tr><th>{t('offline.report')}</th><th>{t('offline.savedAt')}</th><th>{t('offline.attempts')}</th><th>{t('offline.state')}</th></tr></thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.id} data-testid="outbox-item">
                <td><code>{i.id.slice(0, 8)}</code>{i.kind === 'edit' && <> · {t('offline.kind_edit')}</>}</td><td>{fmt(i.queued_at)}</td><td>{i.attempts}</td>
                <td>{t(`offline.state_${i.state}`)}{i.last_error ? ` (${i.last_error})` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {unlocked && <p><button type="button" onClick={() => void outbox.flush(api)}>{t('offline.sendNow')}</button> <button type="button" onClick={() => vault.lock()}>{t('offline.lock')}</button></p>}
      {editResults.length > 0 && (
        <>
          <h2>{t('offline.editResults')}</h2>
          <ul>
            {editResults.map((r) => (
              <li key={r.id} data-testid="edit-result" data-status={r.status}>
                <code>{r.id.slice(0, 8)}</code> — <a href={`/incidents/${r.incident_id}`}>{t('offline.kind_edit')}</a> — {fmt(r.at)} —{' '}
                {t(`offline.edit_${r.status}`, { version: r.version, n: r.conflicts })}
              </li>
            ))}
          </ul>
        </>
      )}
      <ConflictReview reloadKey={conflictsKey} />
      <h2>{t('offline.receipts')}</h2>
      {receipts.length === 0 ? <p>{t('offline.noReceipts')}</p> : (
        <ul>
          {receipts.map((r) => <li key={r.id} data-testid="receipt"><code>{r.id.slice(0, 8)}</code> — {fmt(r.received_at)} — <code title={r.sha256}>{r.sha256.slice(0, 12)}</code></li>)}
        </ul>
      )}
    </div>
  );
}
