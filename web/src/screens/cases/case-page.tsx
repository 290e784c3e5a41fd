import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { Field, Notice, errorText } from '../../components/field.tsx';
import { formatDate, formatDateTime, formatNumber } from '../../i18n/index.ts';
import { Link, useLocation } from '../../router.ts';
import { RISK_LEVELS } from '../../../../src/modules/cases/schema.ts';
import { BestInterestsSection } from './best-interests.tsx';
import { CareSections } from './care.tsx';
import { Badge, caseRef, label, Loading, useLoad, useSubmit } from './common.tsx';
import { ConsentSection } from './consent.tsx';
import { ReferralsSection } from './referrals.tsx';
import { ReleaseSection } from './release.tsx';
import type { CaseView } from './types.ts';
import { WorkflowSection } from './workflow.tsx';

/**
 * One child's case: its facts, the six steps with their approvals, consent, referrals, release and
 * reintegration, tracing and follow-up. The child's identity stays sealed until asked for (audited).
 */
export function CasePage({ id }: { id: string }) {
  const { t } = useTranslation();
  const { search } = useLocation();
  const loaded = useLoad(() => Promise.all([api.getCase(id), api.caseAlerts()]), [id]);
  const [message, setMessage] = useState<string | null>(search.get('saved') ? t('cases.registered') : null);
  const [identity, setIdentity] = useState<{ value: CaseView['identity'] } | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (!loaded.data) return <><h1 tabIndex={-1}>{t('cases.pageTitleUnknown')}</h1><Loading error={loaded.error} /></>;
  const [view, alerts] = loaded.data;
  const may = (a: string) => view.permitted_actions.includes(a);
  const open = view.status === 'open';
  const changed = (v: CaseView, text: string) => { loaded.set([v, alerts]); setMessage(text); setError(null); loaded.reload(); };
  const saved = (text: string) => { setMessage(text); loaded.reload(); };
  const own = alerts.items.filter((a) => a.case_id === id);

  async function showIdentity() {
    try { setIdentity({ value: (await api.getCase(id, 'identity')).identity }); } catch (err) { setError(err); }
  }

  return (
    <article className="cases record">
      <p><Link to="/cases">{t('cases.backToList')}</Link></p>
      <h1 tabIndex={-1}>{t('cases.pageTitle', { ref: caseRef(view.id) })}</h1>
      {message && <Notice kind="success">{message}</Notice>}
      {error != null && <Notice kind="error">{errorText(t, error)}</Notice>}
      {own.length > 0 && (
        <section className="card" aria-labelledby="case-alerts">
          <h2 id="case-alerts">{t('cases.alertsTitle')}</h2>
          <ul className="conduct-alerts">
            {own.map((a, i) => <li key={i}><Badge>{label('alert', a.kind)}</Badge>{a.due_at && ` ${formatDateTime(a.due_at)}`}</li>)}
          </ul>
        </section>
      )}

      <dl className="facts card">
        <div><dt>{t('cases.statusLabel')}</dt><dd>{label('status', view.status)}{view.closure_reason && ` · ${label('closure', view.closure_reason)}`}</dd></div>
        <div><dt>{t('cases.sexLabel')}</dt><dd>{label('sex', view.sex)}{view.age !== null && ` · ${t(view.age_estimated ? 'cases.ageEstimated' : 'cases.ageYears', { n: formatNumber(view.age) })}`}</dd></div>
        <div><dt>{t('cases.riskLevel')}</dt><dd>{label('risk', view.risk_level)}{view.urgent && <Badge>{t('cases.urgent')}</Badge>}</dd></div>
        <div><dt>{t('cases.concerns')}</dt><dd>{view.concerns.length ? view.concerns.map((c) => label('concern', c)).join(', ') : t('app.none')}</dd></div>
        <div><dt>{t('cases.identifiedAt')}</dt><dd>{formatDateTime(view.identified_at)}</dd></div>
        <div>
          <dt>{t('cases.responseDue')}</dt>
          <dd>{formatDateTime(view.response_due_at)}{view.first_action_at ? ` · ${t('cases.firstActionOn', { date: formatDate(view.first_action_at) })}` : ''}{view.overdue && <Badge>{t('cases.overdue')}</Badge>}</dd>
        </div>
      </dl>
      {may('update') && open && <RiskForm key={view.version} view={view} onSaved={(v) => changed(v, t('cases.riskSaved'))} />}

      {may('read_identity') && (
        <section className="card" aria-labelledby="case-identity">
          <h2 id="case-identity">{t('cases.childSealed')}</h2>
          {identity === null ? (
            <p><button type="button" onClick={() => void showIdentity()}>{t('cases.showIdentity')}</button> <span className="hint">{t('cases.auditedHint')}</span></p>
          ) : !identity.value ? <p>{t('cases.identityGone')}</p> : (
            <dl className="facts">
              <div><dt>{t('cases.fullName')}</dt><dd>{identity.value.full_name}</dd></div>
              <div><dt>{t('cases.birthKind')}</dt><dd>{'date' in identity.value.birth ? <span dir="ltr">{identity.value.birth.date}</span> : t('cases.ageEstimated', { n: formatNumber(identity.value.birth.age_estimate) })}</dd></div>
              <div><dt>{t('cases.parentsNames')}</dt><dd>{identity.value.parents_names || '—'}</dd></div>
            </dl>
          )}
          {view.mrm_appearances && view.mrm_appearances.length > 0 && (
            <p>{t('cases.mrmAppearances', { n: formatNumber(view.mrm_appearances.length) })}</p>
          )}
        </section>
      )}

      <WorkflowSection view={view} onChanged={changed} />
      <ConsentSection view={view} onSaved={(v) => changed(v, t('cases.consentSaved'))} />
      <ReferralsSection view={view} onSaved={saved} />
      <ReleaseSection view={view} alertKinds={own.map((a) => a.kind)} onSaved={(v) => changed(v, t('cases.releaseSaved'))} />
      <CareSections view={view} alerts={own} onSaved={saved} />
      <BestInterestsSection view={view} onSaved={saved} />
    </article>
  );
}

function RiskForm({ view, onSaved }: { view: CaseView; onSaved(v: CaseView): void }) {
  const { t } = useTranslation();
  const [risk, setRisk] = useState(view.risk_level);
  const [urgent, setUrgent] = useState(view.urgent);
  const { busy, errors, run } = useSubmit();
  async function submit(e: FormEvent) {
    e.preventDefault();
    const v = await run(() => api.updateCase(view.id, { version: view.version, risk_level: risk, urgent }));
    if (v) onSaved(v);
  }
  return (
    <details className="card">
      <summary>{t('cases.changeRisk')}</summary>
      <form onSubmit={submit} noValidate>
        {errors._ && <p className="error" role="alert">{errors._}</p>}
        <Field label={t('cases.riskLevel')} error={errors.risk_level}>
          <select name="change-risk" value={risk} onChange={(e) => setRisk(e.target.value as CaseView['risk_level'])}>
            {RISK_LEVELS.map((r) => <option key={r} value={r}>{label('risk', r)}</option>)}
          </select>
        </Field>
        <label className="choice"><input type="checkbox" checked={urgent} onChange={(e) => setUrgent(e.target.checked)} /> {t('cases.urgentLabel')}</label>
        <button type="submit" disabled={busy}>{t('app.save')}</button>
      </form>
    </details>
  );
}
