import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { Field, Notice, errorText } from '../../components/field.tsx';
import { formatNumber } from '../../i18n/index.ts';
import { useMe } from '../../session.tsx';
import { label } from './common.tsx';
import type { CaseIndicators } from './types.ts';

type Rate = { numerator: number | null; denominator: number | null; percent: number | null; suppressed: boolean };
type Median = { value: number | null; n: number | null; suppressed: boolean };
const obj = (x: unknown): Record<string, unknown> => (x && typeof x === 'object' ? x as Record<string, unknown> : {});

/**
 * Release and reintegration indicators. Analysts get the disclosure-controlled figures only (small counts
 * hidden with the cells that would reveal them); a supervisor may ask for the agency's whole figures.
 */
export function CaseIndicatorsScreen() {
  const { t } = useTranslation();
  const me = useMe();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [whole, setWhole] = useState(false);
  const [view, setView] = useState<CaseIndicators | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      setView(await api.caseIndicators({ ...(from && { released_from: from }), ...(to && { released_to: to }), ...(whole && { whole: 'true' as const }) }));
    } catch (err) { setError(err); }
  }
  const hidden = <span className="suppressed">{t('cases.hidden')}</span>;
  const count = (n: unknown) => (typeof n === 'number' ? formatNumber(n) : hidden);
  const rate = (r: unknown) => {
    const x = obj(r) as Partial<Rate>;
    if (x.suppressed || x.percent === undefined) return hidden;
    return x.percent === null ? '—' : t('cases.rateOf', { pct: formatNumber(x.percent), num: formatNumber(x.numerator), den: formatNumber(x.denominator) });
  };
  const median = (m: unknown, unit: 'hours' | 'days') => {
    const x = obj(m) as Partial<Median>;
    return x.suppressed ? hidden : x.value === null || x.value === undefined ? '—' : t(unit === 'hours' ? 'cases.hoursN' : 'cases.daysN', { n: formatNumber(x.value) });
  };
  const released = obj(view?.released);
  const handover = obj(view?.handover);
  const icc = obj(view?.interim_care_centre);
  const rer = obj(view?.re_recruitment);
  const fu = obj(view?.followup_visits);
  const threshold = obj(view?.disclosure_control).threshold;

  return (
    <div className="cases">
      <h1 tabIndex={-1}>{t('cases.indicatorsTitle')}</h1>
      <p className="hint">{t('cases.indicatorsIntro')}</p>
      <form className="card" onSubmit={submit} noValidate>
        <div className="details-grid">
          <Field label={t('cases.releasedFrom')}><input type="date" name="released_from" dir="ltr" value={from} onChange={(e) => setFrom(e.target.value)} /></Field>
          <Field label={t('cases.releasedTo')}><input type="date" name="released_to" dir="ltr" value={to} onChange={(e) => setTo(e.target.value)} /></Field>
        </div>
        {me.role === 'supervisor' ? (
          <label className="choice"><input type="checkbox" name="whole" checked={whole} onChange={(e) => setWhole(e.target.checked)} /> {t('cases.wholeFigures')}</label>
        ) : <p className="hint">{t('cases.publicOnly')}</p>}
        <button type="submit" className="primary">{t('cases.showIndicators')}</button>
      </form>
      {error != null && <Notice kind="error">{errorText(t, error)}</Notice>}
      {view && (
        <>
          {typeof threshold === 'number' && <p className="hint">{t('cases.suppressedNote', { threshold: formatNumber(threshold) })}</p>}
          <dl className="kpis card">
            <div className="kpi"><dt>{t('cases.releasedTotal')}</dt><dd className="kpi-value">{count(released.total)}</dd></div>
            <div className="kpi"><dt>{t('cases.medianHandover')}</dt><dd className="kpi-value">{median(handover.median_hours, 'hours')}</dd></div>
            <div className="kpi"><dt>{t('cases.withinLimit')}</dt><dd>{rate(handover.within_limit)}</dd></div>
            <div className="kpi"><dt>{t('cases.reunificationRate')}</dt><dd>{rate(view.reunification_rate)}</dd></div>
          </dl>
          <div className="chart-grid">
            {(['sex', 'age_band', 'exit_mode', 'party'] as const).map((dim) => (
              <table key={dim} className="data-table">
                <caption>{t(`cases.by.${dim}`)}</caption>
                <tbody>
                  {Object.entries(obj(released[dim])).map(([k, v]) => (
                    <tr key={k}><th scope="row">{dim === 'party' ? (k === 'unknown' ? label('sex', 'unknown') : k) : dim === 'age_band' ? (k === 'unknown' ? label('sex', 'unknown') : <span dir="ltr">{k}</span>) : label(dim === 'sex' ? 'sex' : 'exit', k)}</th><td>{count(v)}</td></tr>
                  ))}
                </tbody>
              </table>
            ))}
          </div>
          <table className="data-table card">
            <caption>{t('cases.ratesTitle')}</caption>
            <tbody>
              <tr><th scope="row">{t('cases.altCareRate')}</th><td>{rate(view.alternative_care_rate)}</td></tr>
              <tr><th scope="row">{t('cases.iccMedian')}</th><td>{median(icc.median_days, 'days')}</td></tr>
              <tr><th scope="row">{t('cases.iccOver', { n: formatNumber(Number(icc.over_weeks ?? 0)) })}</th><td>{rate(icc.over)}</td></tr>
              {Object.entries(obj(view.receiving_component)).map(([k, v]) => <tr key={k}><th scope="row">{t('cases.receiving', { what: label('componentType', k) })}</th><td>{rate(v)}</td></tr>)}
              <tr><th scope="row">{t('cases.completingTraining')}</th><td>{rate(view.completing_education_or_vocational)}</td></tr>
              <tr><th scope="row">{t('cases.reRecruitment12')}</th><td>{rate(rer.within_12_months)}</td></tr>
              <tr><th scope="row">{t('cases.reRecruitment24')}</th><td>{rate(rer.within_24_months)}</td></tr>
              <tr><th scope="row">{t('cases.visitsOnTime')}</th><td>{rate(fu.on_time)}</td></tr>
              <tr><th scope="row">{t('cases.visitsSeen')}</th><td>{rate(fu.child_seen)}</td></tr>
              <tr><th scope="row">{t('cases.closedGoalsMet')}</th><td>{rate(view.closed_goals_met)}</td></tr>
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
