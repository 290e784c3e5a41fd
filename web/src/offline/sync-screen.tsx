import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { Link } from '../router.ts';
import { outbox, type EditResult, type OutboxEntry, type Receipt } from './outbox.ts';
import { deviceRecords } from './records.ts';
import { refusalText } from './refusal.ts';
import { useSession } from '../session.tsx';
import { ConflictReview } from './conflict-review.tsx';
import { PinGate } from './pin-gate.tsx';
import { vault } from './vault.ts';
import { WaitingDevices } from './waiting-devices.tsx';

/** Who oversees devices rather than holding an outbox: their sync screen is what waits on the others'. */
const overseesDevices = (role: string | undefined) => role === 'admin' || role === 'supervisor';

/** Roles that hold incident records on their device (the server lets only these pull and push). */
const holdsRecords = (role: string | undefined) => role === 'monitor' || role === 'verifier';

/**
 * What the device holds and what the server has acknowledged: readable while locked (no content; the
 * incident an edit concerns shows once the PIN has opened the store).
 */
interface OutboxState {
  items: OutboxEntry[]; receipts: Receipt[]; editResults: EditResult[]; unlocked: boolean;
  copies: { count: number; pulled_at: string | null };
}
export function useOutbox(): OutboxState {
  const [state, setState] = useState<OutboxState>({ items: [], receipts: [], editResults: [], unlocked: vault.isUnlocked(), copies: { count: 0, pulled_at: null } });
  useEffect(() => {
    let live = true;
    const load = () => void Promise.all([outbox.entries(), outbox.receipts(), outbox.editResults(), deviceRecords.summary()]).then(([items, receipts, editResults, copies]) => {
      if (live) setState({ items, receipts, editResults, unlocked: vault.isUnlocked(), copies });
    }).catch(() => undefined);
    load();
    const offA = outbox.subscribe(load);
    const offB = vault.subscribe(load);
    const offC = deviceRecords.subscribe(load);
    return () => { live = false; offA(); offB(); offC(); };
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
  const { state } = useSession();
  const { items, receipts, editResults, unlocked, copies } = useOutbox();
  const keepsCopies = state.status === 'ready' && holdsRecords(state.me.role);
  // The review lists reload when a push may have raised a conflict (a new edit answer, a report in conflict).
  const conflictsKey = `${editResults.map((r) => r.id).join()}/${items.filter((i) => i.state === 'conflict').length}`;
  const fmt = (iso: string) => new Date(iso).toLocaleString(i18n.language);
  const oldest = items.map((i) => i.queued_at).sort()[0];
  return (
    <div className="sync-screen">
      <h1 tabIndex={-1}>{t('offline.title')}</h1>
      <OutboxSummary items={items} fmt={fmt} oldest={oldest} />
      {keepsCopies && (
        <p data-testid="device-copies">{copies.count === 0 ? t('offline.copiesNone') : t('offline.copies', { n: copies.count, at: copies.pulled_at ? fmt(copies.pulled_at) : '—' })}</p>
      )}
      {!unlocked && (items.length > 0 || keepsCopies) && (
        <>
          {items.length === 0 && <p>{t('offline.copiesHelp')}</p>}
          <PinGate onUnlocked={() => void outbox.flush(api)} />
        </>
      )}
      {items.length > 0 && (
        <table>
          <thead><tr><th>{t('offline.report')}</th><th>{t('offline.savedAt')}</th><th>{t('offline.attempts')}</th><th>{t('offline.state')}</th></tr></thead>
          <tbody>
            {items.map((i) => <OutboxRow key={i.id} item={i} fmt={fmt} />)}
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
                <code>{r.id.slice(-8)}</code> — <Link to={`/incidents/${r.incident_id}`}>{t('offline.kind_edit')}</Link> — {fmt(r.at)} —{' '}
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
          {receipts.map((r) => <li key={r.id} data-testid="receipt"><code>{r.id.slice(-8)}</code> — {fmt(r.received_at)} — <code title={r.sha256}>{r.sha256.slice(0, 12)}</code></li>)}
        </ul>
      )}
    </div>
  );
}

/** One sentence per kind of thing waiting: how many, since when, and what the server refused. */
function OutboxSummary({ items, fmt, oldest }: { items: OutboxEntry[]; fmt(iso: string): string; oldest: string | undefined }) {
  const { t } = useTranslation();
  if (items.length === 0 || !oldest) return <p role="status" data-testid="sync-summary">{t('offline.allSent')}</p>;
  const reports = items.filter((i) => i.kind !== 'edit').length;
  const edits = items.length - reports;
  const refused = items.filter((i) => i.state === 'refused').length;
  const conflicts = items.filter((i) => i.state === 'conflict').length;
  const held = items.filter((i) => i.held).length;
  const tried = items.filter((i) => i.state === 'waiting' && !i.held && i.attempts > 0).map((i) => i.next_at).sort((a, b) => a - b)[0];
  return (
    <div role="status" data-testid="sync-summary">
      <p>{t(edits === 0 ? 'offline.summaryReports' : reports === 0 ? 'offline.summaryEdits' : 'offline.summaryWaiting', { reports, edits, since: fmt(oldest) })}</p>
      {tried !== undefined && <p>{t('offline.summaryRetry', { at: fmt(new Date(tried).toISOString()) })}</p>}
      {refused > 0 && <p className="error">{t('offline.summaryRefused', { n: refused })}</p>}
      {conflicts > 0 && <p>{t('offline.summaryConflicts', { n: conflicts })}</p>}
      {held > 0 && <p>{t('offline.summaryHeld', { n: held })}</p>}
    </div>
  );
}

/** A waiting item (its id's random end shown: a UUID v7 begins with the time, shared by items saved together): what it is, when it was saved, and, once refused, why, with the way to correct or discard it. */
function OutboxRow({ item: i, fmt }: { item: OutboxEntry; fmt(iso: string): string }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const state = i.held ? t('offline.state_held') : t(`offline.state_${i.state}`);
  return (
    <tr data-testid="outbox-item" data-state={i.held ? 'held' : i.state}>
      <td>
        <code dir="ltr">{i.id.slice(-8)}</code> · {i.kind === 'edit' ? t('offline.kind_edit') : t('offline.kind_report')}
        {/* A report in conflict is settled on the review below, not by sending a third version. */}
        {i.incident_id && i.state !== 'conflict' && <> · <Link to={`/incidents/${i.incident_id}/edit`}>{t('offline.change')}</Link></>}
      </td>
      <td>{fmt(i.queued_at)}{i.revised_at && <><br />{t('offline.revisedAt', { at: fmt(i.revised_at) })}</>}</td>
      <td>{i.attempts}</td>
      <td>
        {state}
        {i.state !== 'waiting' && <><br /><span data-testid="outbox-reason">{refusalText(t, i)}</span></>}
        {i.state !== 'waiting' && i.kind === 'edit' && (
          <><br /><button type="button" disabled={busy} onClick={() => { setBusy(true); void outbox.discardEdit(i.id).finally(() => setBusy(false)); }}>{t('offline.discard')}</button></>
        )}
        {i.state === 'refused' && i.kind === 'report' && (
          <><br /><button type="button" disabled={busy} onClick={() => {
            if (!window.confirm(t('offline.discardReportConfirm'))) return;
            setBusy(true);
            void outbox.discardRefusedReport(i.id).finally(() => setBusy(false));
          }}>{t('offline.discardReport')}</button></>
        )}
      </td>
    </tr>
  );
}
