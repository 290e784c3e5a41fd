import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { Field } from '../../components/field.tsx';
import { formatDateTime, formatNumber } from '../../i18n/index.ts';
import { ASSENTS, CONSENT_GIVERS, SHARE_WITH } from '../../../../src/modules/cases/consent.ts';
import { FormErrors, label, useSubmit } from './common.tsx';
import type { CaseView, ConsentInput } from './types.ts';

type Giver = (typeof CONSENT_GIVERS)[number];
type Assent = (typeof ASSENTS)[number];
const FIELDS = ['given_by', 'child_assent', 'relationship'];

/** Consent and assent, versioned: the server checks who may consent at the child's age and names the rule when not. */
export function ConsentSection({ view, onSaved }: { view: CaseView; onSaved(v: CaseView): void }) {
  const { t } = useTranslation();
  const c = view.consent;
  const yesNo = (b: boolean) => (b ? t('app.yes') : t('app.no'));
  return (
    <section className="card" aria-labelledby="case-consent">
      <h2 id="case-consent">{t('cases.consentTitle')}</h2>
      {!c ? <p>{t('cases.noConsent')}</p> : (
        <dl className="facts">
          <div><dt>{t('cases.consentVersion')}</dt><dd>{formatNumber(c.version)} · {formatDateTime(c.recorded_at)}</dd></div>
          <div><dt>{t('cases.givenBy')}</dt><dd>{label('giver', c.given_by)} · {label('assent', c.child_assent)}</dd></div>
          <div><dt>{t('cases.forServices')}</dt><dd>{yesNo(c.for_services)}</dd></div>
          <div><dt>{t('cases.forTracing')}</dt><dd>{yesNo(c.for_tracing)}</dd></div>
          <div><dt>{t('cases.forReporting')}</dt><dd>{yesNo(c.for_reporting_non_identifiable)}</dd></div>
          <div><dt>{t('cases.shareWith')}</dt><dd>{c.share_with.length ? c.share_with.map((s) => label('share', s)).join(', ') : t('app.none')}</dd></div>
        </dl>
      )}
      {view.permitted_actions.includes('record_consent') && <ConsentForm key={c?.version ?? 0} view={view} onSaved={onSaved} />}
    </section>
  );
}

function ConsentForm({ view, onSaved }: { view: CaseView; onSaved(v: CaseView): void }) {
  const { t } = useTranslation();
  const c = view.consent;
  const [givenBy, setGivenBy] = useState<Giver>((c?.given_by as Giver | undefined) ?? (view.age !== null && view.age >= 15 ? 'child' : 'caregiver'));
  const [assent, setAssent] = useState<Assent>((c?.child_assent as Assent | undefined) ?? 'verbal');
  const [relationship, setRelationship] = useState('');
  const [services, setServices] = useState(c?.for_services ?? true);
  const [tracing, setTracing] = useState(c?.for_tracing ?? false);
  const [reporting, setReporting] = useState(c?.for_reporting_non_identifiable ?? true);
  const [share, setShare] = useState<string[]>(c?.share_with ?? []);
  const { busy, errors, run } = useSubmit();
  async function submit(e: FormEvent) {
    e.preventDefault();
    const body: ConsentInput = {
      given_by: givenBy, child_assent: assent, relationship, for_services: services, for_tracing: tracing, for_reporting_non_identifiable: reporting,
      share_with: share as ConsentInput['share_with'],
    };
    const v = await run(() => api.recordConsent(view.id, body));
    if (v) onSaved(v);
  }
  const toggle = (s: string) => setShare((xs) => (xs.includes(s) ? xs.filter((x) => x !== s) : [...xs, s]));
  return (
    <details className="case-form">
      <summary>{c ? t('cases.newConsentVersion') : t('cases.recordConsent')}</summary>
      <form onSubmit={submit} noValidate>
        <p className="hint">{t('cases.consentHint')}</p>
        <FormErrors errors={errors} fields={FIELDS} />
        <div className="details-grid">
          <Field label={t('cases.givenBy')} error={errors.given_by}>
            <select name="given_by" value={givenBy} onChange={(e) => setGivenBy(e.target.value as Giver)}>
              {CONSENT_GIVERS.map((g) => <option key={g} value={g}>{label('giver', g)}</option>)}
            </select>
          </Field>
          <Field label={t('cases.childAssent')} error={errors.child_assent}>
            <select name="child_assent" value={assent} onChange={(e) => setAssent(e.target.value as Assent)}>
              {ASSENTS.map((a) => <option key={a} value={a}>{label('assent', a)}</option>)}
            </select>
          </Field>
          <Field label={t('cases.relationship')} error={errors.relationship}>
            <input name="relationship" value={relationship} onChange={(e) => setRelationship(e.target.value)} />
          </Field>
        </div>
        <label className="choice"><input type="checkbox" name="for_services" checked={services} onChange={(e) => setServices(e.target.checked)} /> {t('cases.forServices')}</label>
        <label className="choice"><input type="checkbox" name="for_tracing" checked={tracing} onChange={(e) => setTracing(e.target.checked)} /> {t('cases.forTracing')}</label>
        <label className="choice"><input type="checkbox" name="for_reporting" checked={reporting} onChange={(e) => setReporting(e.target.checked)} /> {t('cases.forReporting')}</label>
        <fieldset>
          <legend>{t('cases.shareWith')}</legend>
          <div className="choices">
            {SHARE_WITH.map((s) => <label key={s} className="choice"><input type="checkbox" name={`share-${s}`} checked={share.includes(s)} onChange={() => toggle(s)} /> {label('share', s)}</label>)}
          </div>
        </fieldset>
        <button type="submit" disabled={busy}>{t('cases.saveConsent')}</button>
      </form>
    </details>
  );
}
