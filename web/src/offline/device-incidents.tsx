import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { IncidentView } from '../api/types.ts';
import { formatDate } from '../i18n/index.ts';
import { Link } from '../router.ts';
import { PinGate } from './pin-gate.tsx';
import { deviceRecords } from './records.ts';
import { vault } from './vault.ts';

/**
 * With no network, the incident list shows the copies kept on this device (the pull's), each opening on
 * the edit screen. They are sealed: the PIN opens them. At most `LIMIT` are listed, newest first.
 */
const LIMIT = 200;
export function DeviceIncidents() {
  const { t } = useTranslation();
  const [setUp, setSetUp] = useState<boolean | null>(null);
  const [unlocked, setUnlocked] = useState(vault.isUnlocked());
  const [records, setRecords] = useState<IncidentView[] | null>(null);
  useEffect(() => { void vault.isSetUp().then(setSetUp); return vault.subscribe(() => setUnlocked(vault.isUnlocked())); }, []);
  useEffect(() => {
    if (!unlocked) return;
    let live = true;
    deviceRecords.list().then((r) => { if (live) setRecords(r); }, () => undefined);
    return () => { live = false; };
  }, [unlocked]);

  if (setUp === false) return <p>{t('offline.copiesNone')}</p>;
  return (
    <section aria-labelledby="device-incidents-heading" data-testid="device-incidents">
      <h2 id="device-incidents-heading">{t('offline.onDeviceTitle')}</h2>
      {!unlocked ? <PinGate onUnlocked={() => setUnlocked(true)} /> : records === null ? null : records.length === 0 ? <p>{t('offline.copiesNone')}</p> : (
        <ul>
          {records.slice(0, LIMIT).map((r) => (
            <li key={r.id}>
              <Link to={`/incidents/${r.id}/edit`}>{r.title}</Link> — <span dir="ltr">{r.short_id}</span> — {formatDate(r.date.start, r.date.precision)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
