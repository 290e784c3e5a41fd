import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { AllegationSummary, ConductAlertPage } from '../../api/types.ts';
import { Notice, errorText } from '../../components/field.tsx';
import { formatDate, formatNumber } from '../../i18n/index.ts';
import { Link } from '../../router.ts';

/** The conduct officer's allegations, newest first, missed deadlines marked in words (not colour alone). */
export function AllegationList() {
  const { t } = useTranslation();
  const [items, setItems] = useState<AllegationSummary[] | null>(null);
  const [alerts, setAlerts] = useState<ConductAlertPage['items']>([]);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    Promise.all([api.conductAllegations(), api.conductAlerts()]).then(([list, al]) => {
      if (!live) return;
      setItems(list.items);
      setAlerts(al.items);
    }, (e: unknown) => { if (live) setError(e); });
    return () => { live = false; };
  }, []);

  const received = new Map((items ?? []).map((i) => [i.id, i.received_on]));
  return (
    <div className="conduct">
      <h1 tabIndex={-1}>{t('conduct.listTitle')}</h1>
      <p className="hint">{t('conduct.intro')}</p>
      <div className="button-row conduct-actions">
        <Link className="button primary" to="/conduct/new">{t('conduct.record')}</Link>
        <Link className="button" to="/conduct/figures">{t('conduct.figures')}</Link>
      </div>
      {error != null && <Notice kind="error">{errorText(t, error)}</Notice>}

      <section className="card" aria-labelledby="conduct-alerts">
        <h2 id="conduct-alerts">{t('conduct.alertsTitle')}</h2>
        {alerts.length === 0 ? <p>{t('conduct.alertsNone')}</p> : (
          <ul className="conduct-alerts">
            {alerts.map((a) => (
              <li key={a.id}>
                <Link to={`/conduct/allegations/${a.allegation_id}`}>
                  {t('conduct.alert', { kind: t(`conduct.overdueKind.${a.kind}`), date: formatDate(a.due_on), received: formatDate(received.get(a.allegation_id) ?? '') })}
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>

      {items === null ? (error == null && <p className="loading" role="status">{t('app.loading')}</p>) : items.length === 0 ? <p>{t('conduct.empty')}</p> : (
        <div className="table-scroll">
          <table className="data-table conduct-table">
            <caption>{t('conduct.tableCaption', { n: formatNumber(items.length) })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('conduct.col.received')}</th>
                <th scope="col">{t('conduct.col.type')}</th>
                <th scope="col">{t('conduct.col.personnel')}</th>
                <th scope="col">{t('conduct.col.victims')}</th>
                <th scope="col">{t('conduct.col.referral')}</th>
                <th scope="col">{t('conduct.col.investigationDue')}</th>
                <th scope="col">{t('conduct.col.outcome')}</th>
                <th scope="col">{t('conduct.col.assistance')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => {
                const overdue = i.deadlines.overdue.length > 0;
                return (
                  <tr key={i.id} className={overdue ? 'conduct-overdue' : undefined}>
                    <th scope="row">
                      <Link to={`/conduct/allegations/${i.id}`} aria-label={t('conduct.openAllegation', { date: formatDate(i.received_on) })}>{formatDate(i.received_on)}</Link>
                      {overdue && i.deadlines.overdue.map((k) => <span key={k} className="conduct-badge">{t(`conduct.overdueKind.${k}`)}</span>)}
                    </th>
                    <td>{t(`conduct.types.${i.type}`)}</td>
                    <td>{t(`conduct.personnel.${i.personnel_category}`)}</td>
                    <td>{t('conduct.victimsCount', { n: formatNumber(i.victims), minors: formatNumber(i.minors) })}</td>
                    <td>{i.referral_entity ? t(`conduct.entities.${i.referral_entity}`) : t('conduct.entities.not_referred')}</td>
                    <td>{i.deadlines.investigation_due ? formatDate(i.deadlines.investigation_due) : '—'}</td>
                    <td>{t(`conduct.outcomes.${i.outcome}`)}</td>
                    <td>{formatNumber(i.assistance_open)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
