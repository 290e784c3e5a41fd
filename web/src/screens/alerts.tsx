import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import type { ViolationType } from '../api/types.ts';
import { Notice, errorText } from '../components/field.tsx';
import { formatDate, formatDateTime, formatNumber } from '../i18n/index.ts';
import { areaName, useReference } from '../reference.ts';
import { Link } from '../router.ts';
import { useSession } from '../session.tsx';

/** A hotspot alert as GET /api/v1/hotspot-alerts gives it (src/modules/analytics/schema.ts). */
export interface HotspotAlert {
  id: string;
  violation_type: ViolationType;
  country_iso3: string;
  study_end: string;
  cluster: { start: string; end: string; observed: number; expected: number; llr: number; p_value: number; recurrence_days: number; radius_km: number };
  admin_pcodes: string[];
  /** Present only for roles that work with incident records. */
  incident_ids?: string[];
  detected_at: string;
  acknowledged_at: string | null;
}

/** Mirrors the server's rule (analytics/policy.ts): monitors and verifiers acknowledge; analysts only read. */
const ACKNOWLEDGING_ROLES = new Set(['monitor', 'verifier']);

/**
 * Emerging space-time clusters of violations in the areas the signed-in user answers for, newest
 * first. The server decides who sees what: analysts get the areas and figures without incidents.
 */
export function Alerts() {
  const { t } = useTranslation();
  const reference = useReference();
  const { state } = useSession();
  const mayAcknowledge = state.status === 'ready' && ACKNOWLEDGING_ROLES.has(state.me.role);
  const [alerts, setAlerts] = useState<HotspotAlert[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api.hotspotAlerts().then((r) => { if (live) setAlerts(r.items); }, (err: unknown) => { if (live) setError(err); });
    return () => { live = false; };
  }, []);

  async function acknowledge(id: string) {
    setBusy(id);
    setError(null);
    try {
      const updated = await api.acknowledgeHotspotAlert(id);
      setAlerts((list) => list?.map((a) => (a.id === id ? updated : a)) ?? null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="alerts">
      <h1 tabIndex={-1}>{t('alerts.title')}</h1>
      <p className="hint">{t('alerts.intro')}</p>
      {error != null && <Notice kind="error">{errorText(t, error)}</Notice>}
      {alerts === null && error == null && <p className="loading" role="status">{t('app.loading')}</p>}
      {alerts?.length === 0 && <p>{t('alerts.empty')}</p>}
      <ul className="alert-list">
        {alerts?.map((a) => (
          <li key={a.id} className={`card hotspot-alert${a.acknowledged_at ? ' acknowledged' : ''}`} data-alert-id={a.id}>
            <h2 className="h3">
              {t(`types.${a.violation_type}.name`)} · {a.admin_pcodes.map((p) => areaName(reference?.areaByPcode.get(p), p)).join(', ')}
            </h2>
            <dl className="alert-figures">
              <div><dt>{t('alerts.period')}</dt><dd>{t('alerts.periodValue', { start: formatDate(a.cluster.start), end: formatDate(a.cluster.end) })}</dd></div>
              <div><dt>{t('alerts.observed')}</dt><dd>{t('alerts.observedValue', { observed: formatNumber(a.cluster.observed), expected: a.cluster.expected.toLocaleString(undefined, { maximumFractionDigits: 1 }) })}</dd></div>
              <div><dt>{t('alerts.rarity')}</dt><dd>{t('alerts.rarityValue', { days: formatNumber(a.cluster.recurrence_days) })}</dd></div>
              <div><dt>{t('alerts.radius')}</dt><dd>{t('alerts.radiusValue', { km: a.cluster.radius_km.toLocaleString(undefined, { maximumFractionDigits: 1 }) })}</dd></div>
              <div><dt>{t('alerts.detected')}</dt><dd>{formatDateTime(a.detected_at)}</dd></div>
            </dl>
            {a.incident_ids && a.incident_ids.length > 0 && (
              <div className="alert-incidents">
                <h3 className="h4">{t('alerts.incidents', { n: formatNumber(a.incident_ids.length) })}</h3>
                <ul>
                  {a.incident_ids.map((id) => <li key={id}><Link to={`/incidents/${id}`} dir="ltr">{id.slice(0, 8).toUpperCase()}</Link></li>)}
                </ul>
              </div>
            )}
            {a.acknowledged_at
              ? <p className="alert-status">{t('alerts.acknowledgedAt', { when: formatDateTime(a.acknowledged_at) })}</p>
              : mayAcknowledge && (
                <button type="button" onClick={() => void acknowledge(a.id)} disabled={busy === a.id}>
                  {busy === a.id ? t('alerts.acknowledging') : t('alerts.acknowledge')}
                </button>
              )}
          </li>
        ))}
      </ul>
    </div>
  );
}
