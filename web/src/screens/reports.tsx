import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client.ts';
import type { ReportView } from '../api/types.ts';
import { Field, Notice, errorText } from '../components/field.tsx';
import { formatDate, formatMonth, formatNumber, translateOr } from '../i18n/index.ts';
import { areaName, useReference } from '../reference.ts';
import { useMe } from '../session.tsx';

type Kind = 'annual' | 'ghn';

export function Reports() {
  const { t } = useTranslation();
  const me = useMe();
  const reference = useReference();
  const now = new Date();
  const [kind, setKind] = useState<Kind>('annual');
  const [year, setYear] = useState(String(now.getUTCFullYear() - (now.getUTCMonth() < 3 ? 1 : 0)));
  const [quarter, setQuarter] = useState(`${now.getUTCFullYear()}Q${Math.floor(now.getUTCMonth() / 3) + 1}`);
  // Analysts always receive the public form; the others choose.
  const [publicForm, setPublicForm] = useState(true);
  const [report, setReport] = useState<ReportView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const period = kind === 'annual' ? year : quarter;

  async function show(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setReport(kind === 'annual' ? await api.annualReport(Number(year), publicForm) : await api.ghnReport(quarter, publicForm));
    } catch (err) {
      setReport(null);
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const notDeployed = error instanceof ApiError && error.status === 404 && error.code === 'route.not_found';
  const cell = (v: number | null) => (v === null ? <span className="suppressed">{t('reports.suppressedCell')}</span> : formatNumber(v));
  const table = (title: string, m: Record<string, number | null> | undefined, label: (k: string) => string) => m && Object.keys(m).length > 0 && (
    <table className="data-table card">
      <caption>{title}</caption>
      <thead><tr><th scope="col">{title}</th><th scope="col">{t('reports.count')}</th></tr></thead>
      <tbody>{Object.entries(m).map(([k, v]) => <tr key={k}><th scope="row">{label(k)}</th><td>{cell(v)}</td></tr>)}</tbody>
    </table>
  );

  return (
    <div className="reports">
      <h1 tabIndex={-1}>{t('reports.title')}</h1>
      <form className="filters card" onSubmit={show}>
        <Field label={t('reports.title')}>
          <select name="report" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            <option value="annual">{t('reports.annual')}</option>
            <option value="ghn">{t('reports.ghn')}</option>
          </select>
        </Field>
        {kind === 'annual' ? (
          <Field label={t('reports.year')}><input name="year" inputMode="numeric" dir="ltr" pattern="[0-9]{4}" value={year} onChange={(e) => setYear(e.target.value)} /></Field>
        ) : (
          <Field label={t('reports.quarter')}><input name="quarter" dir="ltr" pattern="[0-9]{4}Q[1-4]" value={quarter} onChange={(e) => setQuarter(e.target.value.toUpperCase())} /></Field>
        )}
        <fieldset className="choice-group">
          <legend>{t('reports.form')}</legend>
          <label className="choice"><input type="radio" name="form" checked={publicForm} onChange={() => setPublicForm(true)} /><span>{t('reports.public')}</span></label>
          <label className="choice">
            <input type="radio" name="form" checked={!publicForm} disabled={me.role === 'analyst'} onChange={() => setPublicForm(false)} /><span>{t('reports.restricted')}</span>
          </label>
          {me.role === 'analyst' && <p className="hint">{t('reports.analystPublicOnly')}</p>}
        </fieldset>
        <div className="button-row"><button type="submit" className="primary" disabled={busy}>{t('reports.show')}</button></div>
      </form>

      {notDeployed ? <Notice kind="info">{t('reports.notAvailable')}</Notice> : error != null && <Notice kind="error">{errorText(t, error)}</Notice>}

      {report && (
        <section aria-labelledby="report-heading">
          <h2 id="report-heading">{report.report === 'annual' ? t('reports.annual') : t('reports.ghn')} · {report.public ? t('reports.public') : t('reports.restricted')}</h2>
          <p>{t('reports.period', { from: formatDate(report.period.from), to: formatDate(report.period.to) })}</p>
          <nav className="button-row" aria-label={t('reports.exports')}>
            <span>{t('reports.exports')}:</span>
            {(['csv', 'hxl', 'xlsx'] as const).map((f) => (
              <a key={f} className="button" href={api.reportExportUrl(report.report, period, report.public, f)} download data-format={f}>{t(`reports.${f}`)}</a>
            ))}
          </nav>
          {report.disclosure && <Notice kind="info">{t('dashboard.suppressed')} ({formatNumber(report.disclosure.suppressed_cells)})</Notice>}
          <div className="kpis">
            <div className="kpi card"><span className="kpi-value">{cell(report.total_verified)}</span><span>{t('dashboard.totalVerified')}</span></div>
            <div className="kpi card"><span className="kpi-value">{cell(report.children_verified)}</span><span>{t('dashboard.children')}</span></div>
            <div className="kpi card"><span className="kpi-value">{cell(report.committed_in_period)}</span><span>{t('dashboard.committed')}</span></div>
            <div className="kpi card"><span className="kpi-value">{cell(report.late_verified)}</span><span>{t('dashboard.late')}</span></div>
          </div>
          <p className="hint">{t('dashboard.countingNote')}</p>
          <table className="data-table card">
            <caption>{t('reports.byType')}</caption>
            <thead><tr><th scope="col">{t('list.type')}</th><th scope="col">{t('reports.count')}</th><th scope="col">{t('form.boys')}</th><th scope="col">{t('form.girls')}</th><th scope="col">{t('form.sexUnknown')}</th></tr></thead>
            <tbody>
              {Object.entries(report.by_type).map(([k, v]) => (
                <tr key={k}><th scope="row">{translateOr(`types.${k}.name`, k)}</th><td>{cell(v.count)}</td><td>{cell(v.boys)}</td><td>{cell(v.girls)}</td><td>{cell(v.sex_unknown)}</td></tr>
              ))}
            </tbody>
          </table>
          <div className="chart-grid">
            {table(t('reports.byPerpetrator'), report.by_perpetrator_category, (k) => translateOr(`partyCategory.${k}`, k))}
            {table(t('reports.byAdmin1'), report.by_admin1, (k) => areaName(reference?.areaByPcode.get(k), k))}
            {table(t('reports.byMonth'), report.by_month, formatMonth)}
            {table(t('reports.byAgeBand'), report.by_age_band, (k) => translateOr(`ageBand.${k}`, k))}
            {table(t('reports.byCountry'), report.by_country, (k) => k)}
            {table(t('reports.byParty'), report.by_party, (k) => reference?.partyById.get(k)?.name ?? k)}
          </div>
        </section>
      )}
    </div>
  );
}
