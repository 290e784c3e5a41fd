import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { formatDate, formatDateTime, formatNumber } from '../../i18n/index.ts';
import { Field } from '../../components/field.tsx';
import { Link } from '../../router.ts';
import { useMe } from '../../session.tsx';
import { Badge, caseRef, label, Loading, useLoad } from './common.tsx';
import { ReceivedReferrals } from './referrals.tsx';
import type { CaseAlerts, CaseView } from './types.ts';

/** When the case next needs someone: the first response while none is recorded, else its earliest alert. */
function nextDue(c: CaseView, alerts: CaseAlerts['items']): string | null {
  const dues = alerts.filter((a) => a.case_id === c.id && a.due_at).map((a) => a.due_at!);
  if (c.status === 'open' && !c.first_action_at) dues.push(c.response_due_at);
  return dues.sort()[0] ?? null;
}

/** A case worker's cases (a supervisor's: the agency's), most urgent first, lateness in words, and the caseload against the guidance. */
export function CaseList() {
  const { t } = useTranslation();
  const me = useMe();
  const [status, setStatus] = useState<'open' | 'closed'>('open');
  const { data, error } = useLoad(() => Promise.all([api.cases({ status }), api.caseAlerts(), api.caseload()]), [status]);
  if (!data) return <><h1 tabIndex={-1}>{t('cases.listTitle')}</h1><Loading error={error} /></>;
  const [page, alerts, caseload] = data;
  const mine = caseload.workers.find((w) => w.case_worker === me.id);
  const alertsOf = (id: string) => alerts.items.filter((a) => a.case_id === id);
  return (
    <div className="cases">
      <h1 tabIndex={-1}>{t('cases.listTitle')}</h1>
      <p className="hint">{t('cases.listIntro')}</p>
      <div className="button-row">
        <Link className="button primary" to="/cases/new">{t('cases.register')}</Link>
        <Link className="button" to="/tracing">{t('cases.tracingTitle')}</Link>
        {me.role === 'supervisor' && <Link className="button" to="/cases/indicators">{t('cases.indicatorsTitle')}</Link>}
      </div>

      <section className="card" aria-labelledby="caseload">
        <h2 id="caseload">{t('cases.caseloadTitle')}</h2>
        {me.role === 'case_worker' ? (
          <p>
            {t('cases.caseloadMine', { n: formatNumber(mine?.open_cases ?? 0), guidance: formatNumber(caseload.guidance) })}
            {mine?.over_guidance && <Badge>{t('cases.overGuidance')}</Badge>}
          </p>
        ) : caseload.workers.length === 0 ? <p>{t('cases.caseloadNone')}</p> : (
          <ul>
            {caseload.workers.map((w) => (
              <li key={w.case_worker}>
                {t('cases.caseloadOf', { worker: w.name ?? caseRef(w.case_worker), n: formatNumber(w.open_cases), guidance: formatNumber(caseload.guidance) })}
                {w.over_guidance && <Badge>{t('cases.overGuidance')}</Badge>}
              </li>
            ))}
          </ul>
        )}
      </section>

      <ReceivedReferrals />

      <div className="details-grid">
        <Field label={t('cases.showStatus')}>
          <select name="status" value={status} onChange={(e) => setStatus(e.target.value as 'open' | 'closed')}>
            <option value="open">{t('cases.openCases')}</option>
            <option value="closed">{t('cases.closedCases')}</option>
          </select>
        </Field>
      </div>
      {page.items.length === 0 ? <p>{status === 'open' ? t('cases.empty') : t('cases.emptyClosed')}</p> : (
        <div className="table-scroll">
          <table className="data-table cases-table">
            <caption>{t(status === 'open' ? 'cases.tableCaption' : 'cases.tableCaptionClosed', { n: formatNumber(page.items.length) })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('cases.col.case')}</th>
                <th scope="col">{t('cases.col.risk')}</th>
                <th scope="col">{t('cases.col.step')}</th>
                <th scope="col">{t('cases.col.nextDue')}</th>
                <th scope="col">{t('cases.col.alerts')}</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((c) => {
                const due = nextDue(c, alerts.items);
                const own = alertsOf(c.id);
                return (
                  <tr key={c.id} className={c.overdue ? 'conduct-overdue' : undefined}>
                    <th scope="row">
                      <Link to={`/cases/${c.id}`} aria-label={t('cases.openCase', { ref: caseRef(c.id) })} dir="ltr">{caseRef(c.id)}</Link>
                      <div className="hint">{label('sex', c.sex)}{c.age !== null && ` · ${t('cases.ageYears', { n: formatNumber(c.age) })}`}</div>
                    </th>
                    <td>
                      {label('risk', c.risk_level)}
                      {c.urgent && <Badge>{t('cases.urgent')}</Badge>}
                    </td>
                    <td>{label('step', c.step)}{c.approval_pending && <div className="hint">{t('cases.awaitingApproval', { gate: label('gate', c.approval_pending) })}</div>}</td>
                    <td>
                      {due ? formatDateTime(due) : '—'}
                      {c.overdue && <Badge>{t('cases.overdue')}</Badge>}
                    </td>
                    <td>
                      {own.length === 0 ? '—' : (
                        <ul className="conduct-alerts">
                          {own.map((a, i) => <li key={i}>{label('alert', a.kind)}{a.due_at && ` · ${formatDate(a.due_at)}`}</li>)}
                        </ul>
                      )}
                    </td>
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
