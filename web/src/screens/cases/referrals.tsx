import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { Field } from '../../components/field.tsx';
import { formatDateTime } from '../../i18n/index.ts';
import { useMe } from '../../session.tsx';
import { REFERRAL_FORMS, RISK_LEVELS, SERVICES } from '../../../../src/modules/cases/schema.ts';
import { caseRef, FormErrors, label, useLoad, useSubmit } from './common.tsx';
import type { CaseloadView, CaseView, ReferralCreate, ReferralView } from './types.ts';

const FIELDS = ['to_agency', 'service', 'urgency', 'granted_forms', 'consent_override.justification'];

/** The case's referrals, sent by this agency: service, urgency, the consent they rest on, the answer and feedback. */
export function ReferralsSection({ view, onSaved }: { view: CaseView; onSaved(message: string): void }) {
  const { t } = useTranslation();
  const list = useLoad(() => api.referrals(), [view.version]);
  const items = (list.data?.items ?? []).filter((r) => r.case_id === view.id);
  return (
    <section className="card" aria-labelledby="case-referrals">
      <h2 id="case-referrals">{t('cases.referralsTitle')}</h2>
      {items.length === 0 ? <p>{t('cases.noReferrals')}</p> : <ReferralTable items={items} />}
      {view.permitted_actions.includes('refer') && view.status === 'open' && (
        <ReferralForm view={view} onSaved={() => { list.reload(); onSaved(t('cases.referralSent')); }} />
      )}
    </section>
  );
}

function ReferralTable({ items, onRespond }: { items: ReferralView[]; onRespond?: (r: ReferralView) => ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="table-scroll">
      <table className="data-table">
        <thead><tr>
          <th scope="col">{t('cases.service')}</th><th scope="col">{t('cases.toAgency')}</th><th scope="col">{t('cases.urgency')}</th>
          <th scope="col">{t('cases.consentRef')}</th><th scope="col">{t('cases.referralStatus')}</th><th scope="col">{t('cases.feedback')}</th>
        </tr></thead>
        <tbody>
          {items.map((r) => (
            <tr key={r.id}>
              <th scope="row">{label('serviceType', r.service)}<div className="hint">{formatDateTime(r.sent_at)}</div></th>
              <td>{r.to_agency}</td>
              <td>{label('risk', r.urgency)}</td>
              <td>{r.consent_overridden ? t('cases.consentOverridden') : t('cases.consentVersionN', { n: r.consent_version ?? 0 })}</td>
              <td>{label('referral', r.status)}{r.response_note && <div className="hint">{r.response_note}</div>}{onRespond?.(r)}</td>
              <td>{r.feedback || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ReferralForm({ view, onSaved }: { view: CaseView; onSaved(): void }) {
  const { t } = useTranslation();
  const [agency, setAgency] = useState('');
  const [service, setService] = useState<ReferralCreate['service']>('psychosocial');
  const [urgency, setUrgency] = useState<ReferralCreate['urgency']>(view.risk_level);
  const [forms, setForms] = useState<string[]>(['concerns', 'risk']);
  const [override, setOverride] = useState(false);
  const [ground, setGround] = useState<'imminent_risk' | 'mandatory_reporting'>('imminent_risk');
  const [justification, setJustification] = useState('');
  const { busy, errors, setErrors, run } = useSubmit();
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!agency.trim()) { setErrors({ to_agency: t('errors.required') }); return; }
    const body: ReferralCreate = { to_agency: agency, service, urgency, granted_forms: forms as ReferralCreate['granted_forms'], ...(override && { consent_override: { ground, justification } }) };
    if (await run(() => api.referCase(view.id, body))) onSaved();
  }
  const toggle = (f: string) => setForms((xs) => (xs.includes(f) ? xs.filter((x) => x !== f) : [...xs, f]));
  return (
    <details className="case-form">
      <summary>{t('cases.refer')}</summary>
      <form onSubmit={submit} noValidate>
        <FormErrors errors={errors} fields={FIELDS} />
        <div className="details-grid">
          <Field label={`${t('cases.toAgency')} *`} error={errors.to_agency}><input name="to_agency" value={agency} onChange={(e) => setAgency(e.target.value)} /></Field>
          <Field label={t('cases.service')} error={errors.service}>
            <select name="service" value={service} onChange={(e) => setService(e.target.value as ReferralCreate['service'])}>
              {SERVICES.map((s) => <option key={s} value={s}>{label('serviceType', s)}</option>)}
            </select>
          </Field>
          <Field label={t('cases.urgency')} error={errors.urgency}>
            <select name="urgency" value={urgency} onChange={(e) => setUrgency(e.target.value as ReferralCreate['urgency'])}>
              {RISK_LEVELS.map((r) => <option key={r} value={r}>{label('risk', r)}</option>)}
            </select>
          </Field>
        </div>
        <fieldset>
          <legend>{t('cases.grantedForms')}</legend>
          {errors.granted_forms && <p className="error" role="alert">{errors.granted_forms}</p>}
          <div className="choices">
            {REFERRAL_FORMS.map((f) => <label key={f} className="choice"><input type="checkbox" checked={forms.includes(f)} onChange={() => toggle(f)} /> {label('form', f)}</label>)}
          </div>
        </fieldset>
        <label className="choice"><input type="checkbox" checked={override} onChange={(e) => setOverride(e.target.checked)} /> {t('cases.overrideConsent')}</label>
        {override && (
          <div className="details-grid">
            <Field label={t('cases.overrideGround')}>
              <select value={ground} onChange={(e) => setGround(e.target.value as typeof ground)}>
                <option value="imminent_risk">{t('cases.groundImminent')}</option>
                <option value="mandatory_reporting">{t('cases.groundMandatory')}</option>
              </select>
            </Field>
            <Field label={t('cases.justification')} hint={t('cases.justificationHint')} error={errors['consent_override.justification']}>
              <textarea rows={2} value={justification} onChange={(e) => setJustification(e.target.value)} />
            </Field>
          </div>
        )}
        <button type="submit" disabled={busy || forms.length === 0}>{t('cases.sendReferral')}</button>
      </form>
    </details>
  );
}

/** Referrals received from other agencies: the recipient answers (a supervisor accepts or declines) and gives feedback. */
export function ReceivedReferrals() {
  const { t } = useTranslation();
  const me = useMe();
  const list = useLoad(() => api.referrals(), []);
  const caseload = useLoad(() => (me.role === 'supervisor' ? api.caseload() : Promise.resolve(null)), [me.role]);
  const workers = caseload.data?.workers ?? [];
  const items = (list.data?.items ?? []).filter((r) => r.from_agency !== me.scope.agency);
  if (items.length === 0) return null;
  return (
    <section className="card" aria-labelledby="referrals-received">
      <h2 id="referrals-received">{t('cases.referralsReceived')}</h2>
      <ReferralTable items={items} onRespond={(r) => <Respond referral={r} workers={workers} onDone={list.reload} />} />
    </section>
  );
}

function Respond({ referral, workers, onDone }: { referral: ReferralView; workers: CaseloadView['workers']; onDone(): void }) {
  const { t } = useTranslation();
  const [note, setNote] = useState('');
  const [assignTo, setAssignTo] = useState(workers[0]?.case_worker ?? '');
  const { busy, errors, run } = useSubmit();
  const may = (a: string) => referral.permitted_actions.includes(a);
  if (!may('accept') && !may('decline') && !may('complete')) return null;
  const answer = async (status: 'accepted' | 'declined' | 'completed') => {
    if (await run(() => api.respondToReferral(referral.id, { status, note, ...(status === 'accepted' && assignTo && { assign_to: assignTo }) }))) onDone();
  };
  return (
    <div className="case-move" role="group" aria-label={t('cases.answerReferral', { ref: caseRef(referral.case_id) })}>
      {errors._ && <p className="error" role="alert">{errors._}</p>}
      <Field label={may('complete') ? t('cases.feedback') : t('cases.note')}><input value={note} onChange={(e) => setNote(e.target.value)} /></Field>
      {may('accept') && (
        <Field label={t('cases.assignTo')} error={errors.assign_to}>
          <select value={assignTo} onChange={(e) => setAssignTo(e.target.value)}>
            <option value="">{t('cases.chooseWorker')}</option>
            {workers.map((w) => <option key={w.case_worker} value={w.case_worker}>{w.name ?? t('cases.workerRef', { ref: caseRef(w.case_worker) })}</option>)}
          </select>
        </Field>
      )}
      <div className="button-row">
        {may('accept') && <button type="button" disabled={busy} onClick={() => void answer('accepted')}>{t('cases.accept')}</button>}
        {may('decline') && <button type="button" disabled={busy} onClick={() => void answer('declined')}>{t('cases.decline')}</button>}
        {may('complete') && <button type="button" disabled={busy} onClick={() => void answer('completed')}>{t('cases.complete')}</button>}
      </div>
    </div>
  );
}
