import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Notice } from '../components/field.tsx';
import { outbox } from '../offline/outbox.ts';
import { refusalText } from '../offline/refusal.ts';
import type { EditSource } from './incident-edit-source.ts';

/**
 * What the edit screen says about where its values come from and what of this incident waits on the
 * device: the copy kept here (no network), the report not yet sent, the changes waiting, and a refusal
 * with its reason and the choice to correct it (save again) or discard it.
 */
export function EditSourceNotices({ source, onDiscarded }: { source: EditSource; onDiscarded(): void }) {
  const { t, i18n } = useTranslation();
  const [busy, setBusy] = useState(false);
  const fmt = (iso: string) => new Date(iso).toLocaleString(i18n.language);

  if (source.kind === 'queued') {
    const { item } = source;
    return (
      <>
        <Notice kind="info"><span data-testid="edit-source">{t('edit.queuedReport', { since: fmt(item.queued_at) })}</span></Notice>
        {item.state !== 'waiting' && <Notice kind="error"><span data-testid="edit-refusal">{t('edit.queuedRefused', { reason: refusalText(t, item) })}</span></Notice>}
      </>
    );
  }
  const waiting = source.pending.filter((p) => p.item.state === 'waiting');
  const refused = source.pending.filter((p) => p.item.state !== 'waiting');
  const oldest = waiting.map((p) => p.item.queued_at).sort()[0];

  async function discard(id: string) {
    setBusy(true);
    try {
      await outbox.discardEdit(id);
      onDiscarded();
    } finally { setBusy(false); }
  }

  return (
    <>
      {source.kind === 'device' && (
        <Notice kind="info"><span data-testid="edit-source">{t('edit.fromDevice', { version: source.incident.version, at: fmt(source.pulledAt) })}</span></Notice>
      )}
      {oldest && <Notice kind="info"><span data-testid="edit-waiting">{t('edit.pendingWaiting', { n: waiting.length, since: fmt(oldest) })}</span></Notice>}
      {refused.map((p) => (
        <Notice kind="error" key={p.item.id}>
          <p data-testid="edit-refusal">{t('edit.pendingRefused', { at: fmt(p.item.queued_at), reason: refusalText(t, p.item) })}</p>
          <p><button type="button" disabled={busy} onClick={() => void discard(p.item.id)}>{t('edit.discardRefused')}</button></p>
        </Notice>
      ))}
    </>
  );
}
