import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { ConductAggregateView } from '../../api/types.ts';
import { Field, Notice, errorText } from '../../components/field.tsx';
import { formatNumber, translateOr } from '../../i18n/index.ts';
import { useMe } from '../../session.tsx';
import { Link } from '../../router.ts';

/**
 * The yearly figures in the published categories. Analysts receive the disclosure-controlled form
 * only (the server decides; the switch is not even offered to them); the conduct officer may see it whole.
 */
export function ConductFigures() {
  const { t } = useTranslation();
  const me = useMe();
  const officer = me.role === 'conduct_officer';
  const [year, setYear] = useState(String(new Date().getUTCFullYear()));
  const [publicForm, setPublicForm] = useState(true);
  const [view, setView] = useState<ConductAggregateView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const validYear = /^\d{4}$/.test(year);

  async function show(e: FormEvent) {
    e.preventDefault();
    if (!validYear) return;
    setBusy(true);
    setError(null);
    try { setView(await api.conductAggregate(Number(year), publicForm || !officer)); } catch (err) { setView(null); setError(err); } finally { setBusy(false); }
  }

  const cell = (v: number | null) => (v === null ? <span className="suppressed">{t('conduct.hidden')}</span> : formatNumber(v));
  const table = (title: string, m: Record<string, number | null>, label: (k: string) => string) => (
    <table className="data-table card" key={title}>
      <caption>{title}</caption>
      <thead><tr><th scope="col">{title}</th><th scope="col">{t('conduct.count')}</th></tr></thead>
      <tbody>{Object.entries(m).map(([k, v]) => <tr key={k}><th scope="row">{label(k)}</th><td>{cell(v)}</td></tr>)}</tbody>
    </table>
  );
  const nationality = (k: string) => (k === 'unknown' ? t('conduct.nationalityUnknown') : k);

  return (
    <div className="conduct">
      {officer && <p><Link to="/conduct">{t('conduct.backToList')}</Link></p>}
      <h1 tabIndex={-1}>{t('conduct.figuresTitle')}</h1>
      <form className="filters card" onSubmit={show} noValidate>
        <Field label={t('conduct.year')} error={validYear ? null : t('conduct.yearFormat')}>
          <input name="year" inputMode="numeric" dir="ltr" maxLength={4} value={year} onChange={(e) => setYear(e.target.value)} />
        </Field>
        {officer ? (
          <fieldset>
            <legend>{t('conduct.form')}</legend>
            <label className="choice"><input type="radio" name="form" checked={publicForm} onChange={() => setPublicForm(true)} /><span>{t('conduct.publicForm')}</span></label>
            <label className="choice"><input type="radio" name="form" checked={!publicForm} onChange={() => setPublicForm(false)} /><span>{t('conduct.wholeForm')}</span></label>
          </fieldset>
        ) : <p className="hint">{t('conduct.publicOnly')}</p>}
        <div className="button-row"><button type="submit" className="primary" disabled={busy || !validYear}>{t('conduct.show')}</button></div>
      </form>
      {error != null && <Notice kind="error">{errorText(t, error)}</Notice>}
      {view && (
        <section aria-labelledby="conduct-figures-heading">
          <h2 id="conduct-figures-heading">{t('conduct.figuresFor', { year: view.year })} · {view.public ? t('conduct.publicForm') : t('conduct.wholeForm')}</h2>
          {view.disclosure && view.disclosure.suppressed_cells > 0 && <Notice kind="info">{t('conduct.suppressedNote', { threshold: view.disclosure.threshold })}</Notice>}
          <dl className="kpis card">
            <div className="kpi"><dt>{t('conduct.allegations')}</dt><dd className="kpi-value">{cell(view.allegations)}</dd></div>
            <div className="kpi"><dt>{t('conduct.victims')}</dt><dd className="kpi-value">{cell(view.victims)}</dd></div>
            <div className="kpi"><dt>{t('conduct.paternityClaims')}</dt><dd className="kpi-value">{cell(view.paternity_claims)}</dd></div>
          </dl>
          <div className="chart-grid">
            {table(t('conduct.byType'), view.by_type, (k) => t(`conduct.types.${k}`))}
            {table(t('conduct.byPersonnel'), view.by_personnel_category, (k) => t(`conduct.personnel.${k}`))}
            {table(t('conduct.byNationality'), view.by_nationality, nationality)}
            {table(t('conduct.byStatus'), view.by_investigation_status, (k) => t(`conduct.outcomes.${k}`))}
            {table(t('conduct.byEntity'), view.by_investigating_entity, (k) => t(`conduct.entities.${k}`))}
            {table(t('conduct.byQuarter'), view.by_quarter, (k) => translateOr(`conduct.quarters.${k}`, k))}
            {table(t('conduct.byAge'), view.victims_by_age_class, (k) => t(`conduct.ageClass.${k}`))}
          </div>
        </section>
      )}
    </div>
  );
}
