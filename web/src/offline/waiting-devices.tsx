import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Api } from '../api/client.ts';

type Row = Awaited<ReturnType<Api['waitingOnDevices']>>['items'][number];

/** Supervisors: what each device still holds unsent, longest waiting first, and when it last reported. */
export function WaitingDevices() {
  const { t, i18n } = useTranslation();
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.waitingOnDevices().then((r) => setRows(r.items)).catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, []);
  const fmt = (iso: string) => new Date(iso).toLocaleString(i18n.language);
  return (
    <div className="sync-screen">
      <h1 tabIndex={-1}>{t('offline.devicesTitle')}</h1>
      <p>{t('offline.devicesHelp')}</p>
      {error && <p role="alert" className="error">{error}</p>}
      {rows && rows.length === 0 && <p>{t('offline.devicesNone')}</p>}
      {rows && rows.length > 0 && (
        <table data-testid="waiting-devices">
          <thead><tr>
            <th>{t('offline.devicePerson')}</th><th>{t('offline.device')}</th><th>{t('offline.deviceWaiting')}</th>
            <th>{t('offline.deviceOldest')}</th><th>{t('offline.deviceConflicts')}</th><th>{t('offline.deviceReported')}</th>
          </tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.user_id}/${r.device_id}`}>
                <td>{r.display_name} <span className="muted">({r.username})</span></td>
                <td><code>{r.device_id.slice(-8)}</code></td>
                <td>{r.waiting}</td>
                <td>{r.oldest_queued_at ? fmt(r.oldest_queued_at) : '—'}</td>
                <td>{r.conflicts + r.refused}</td>
                <td>{fmt(r.reported_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
