import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import type { AuditEvent } from '../api/types.ts';
import { Field, Notice, errorText } from '../components/field.tsx';
import { formatDateTime, translateOr } from '../i18n/index.ts';

export function AuditLog() {
  const { t } = useTranslation();
  const [action, setAction] = useState('');
  const [applied, setApplied] = useState('');
  const [items, setItems] = useState<AuditEvent[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(async (from: string | null) => {
    try {
      const page = await api.audit({ ...(applied && { action: applied }), ...(from && { cursor: from }), limit: 100 });
      setItems((old) => (from ? [...old, ...page.items] : page.items));
      setCursor(page.next_cursor);
    } catch (err) { setError(err); }
  }, [applied]);
  useEffect(() => { void load(null); }, [load]);

  const submit = (e: FormEvent) => { e.preventDefault(); setError(null); setApplied(action.trim()); };
  return (
    <div>
      <h1 tabIndex={-1}>{t('audit.title')}</h1>
      <form className="filters card" onSubmit={submit}>
        <Field label={t('audit.filterAction')}><input dir="ltr" value={action} onChange={(e) => setAction(e.target.value)} /></Field>
        <div className="button-row"><button type="submit" className="primary">{t('list.apply')}</button></div>
      </form>
      {error != null && <Notice kind="error">{errorText(t, error)}</Notice>}
      <div className="table-scroll" role="region" aria-label={t('audit.title')} tabIndex={0}>
        <table className="data-table">
          <thead><tr><th scope="col">{t('audit.when')}</th><th scope="col">{t('audit.actor')}</th><th scope="col">{t('audit.action')}</th><th scope="col">{t('audit.target')}</th></tr></thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id}>
                <td><time dateTime={e.occurred_at}>{formatDateTime(e.occurred_at)}</time></td>
                <td>{e.actor_role ? translateOr(`role.${e.actor_role}`, e.actor_role) : '—'}</td>
                <td dir="ltr">{e.action}</td>
                <td dir="ltr">{[e.target_type, e.target_id?.slice(0, 8)].filter(Boolean).join(' ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {cursor && <button type="button" onClick={() => void load(cursor)}>{t('list.loadMore')}</button>}
    </div>
  );
}
