import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api/client.ts';
import type { AllegationUpdate, AllegationView } from '../../api/types.ts';
import { Field, Notice, errorText } from '../../components/field.tsx';
import { AGE_CLASSES, ALLEGATION_SUBTYPES, ALLEGATION_TYPES, PERSONNEL_CATEGORIES, SEXES, UNIFORMED } from '../../../../src/modules/sea/vocabulary.ts';

type Saved = (view: AllegationView, message: string) => void;
type Victim = AllegationView['victims'][number];

/** Fields the server names come back beside their control; anything else above the form. */
function useSubmit(onSaved: Saved) {
  const { t } = useTranslation();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  async function run(call: () => Promise<AllegationView>, message: string) {
    setBusy(true);
    setErrors({});
    try { onSaved(await call(), message); } catch (err) {
      setErrors({ [err instanceof ApiError && err.field && err.field !== 'version' ? err.field : '_']: errorText(t, err) });
    } finally { setBusy(false); }
  }
  return { errors, busy, run };
}

/** The facts as first recorded, corrected once known (the server keeps the version and the audit trail). */
export function FactsForm({ view, onSaved }: { view: AllegationView; onSaved: Saved }) {
  const { t } = useTranslation();
  const [f, setF] = useState({
    precision: view.incident.precision as 'day' | 'month' | 'year' | 'unknown', date: view.incident.date ?? '',
    personnel_category: view.personnel_category, contingent_nationality: view.contingent_nationality ?? '', type: view.type, subtype: view.subtype ?? '',
    perpetrators: String(view.perpetrators), urgent: view.urgent,
  });
  const { errors, busy, run } = useSubmit(onSaved);
  const set = <K extends keyof typeof f>(k: K, v: (typeof f)[K]) => setF((x) => ({ ...x, [k]: v }));
  const uniformed = UNIFORMED.includes(f.personnel_category);
  const validCount = /^\d+$/.test(f.perpetrators.trim());
  const missingDate = f.precision !== 'unknown' && !f.date;

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!validCount || missingDate) return;
    const change: AllegationUpdate = { version: view.version };
    const date = f.precision === 'unknown' ? null : f.date;
    if (date !== view.incident.date || f.precision !== view.incident.precision) change.incident = { date, precision: f.precision };
    if (f.personnel_category !== view.personnel_category) change.personnel_category = f.personnel_category;
    const nationality = uniformed && f.contingent_nationality.trim() ? f.contingent_nationality.trim().toUpperCase() : null;
    if (nationality !== view.contingent_nationality) change.contingent_nationality = nationality;
    if (f.type !== view.type) change.type = f.type;
    if ((f.subtype || null) !== view.subtype || change.type) change.subtype = f.subtype || null;
    if (Number(f.perpetrators) !== view.perpetrators) change.perpetrators = Number(f.perpetrators);
    if (f.urgent !== view.urgent) change.urgent = f.urgent;
    void run(() => api.updateAllegation(view.id, change), t('conduct.factsSaved'));
  }

  return (
    <details className="card">
      <summary>{t('conduct.correctFacts')}</summary>
      <form onSubmit={submit} noValidate>
        {errors._ && <Notice kind="error">{errors._}</Notice>}
        <div className="details-grid">
          <Field label={t('conduct.incidentPrecision')}>
            <select name="facts-precision" value={f.precision} onChange={(e) => set('precision', e.target.value as typeof f.precision)}>
              {(['day', 'month', 'year', 'unknown'] as const).map((p) => <option key={p} value={p}>{t(`conduct.precision.${p}`)}</option>)}
            </select>
          </Field>
          {f.precision !== 'unknown' && (
            <Field label={t('conduct.incidentDate')} error={errors['incident.date'] ?? (missingDate ? t('errors.required') : null)}>
              <input type="date" name="facts-incident_date" dir="ltr" max={view.received_on} value={f.date} onChange={(e) => set('date', e.target.value)} />
            </Field>
          )}
          <Field label={t('conduct.personnelCategory')} error={errors.personnel_category}>
            <select name="facts-personnel_category" value={f.personnel_category} onChange={(e) => set('personnel_category', e.target.value as typeof f.personnel_category)}>
              {PERSONNEL_CATEGORIES.map((c) => <option key={c} value={c}>{t(`conduct.personnel.${c}`)}</option>)}
            </select>
          </Field>
          {uniformed && (
            <Field label={t('conduct.nationality')} error={errors.contingent_nationality}>
              <input name="facts-contingent_nationality" dir="ltr" maxLength={3} value={f.contingent_nationality} onChange={(e) => set('contingent_nationality', e.target.value.toUpperCase())} />
            </Field>
          )}
          <Field label={t('conduct.type')} error={errors.type}>
            <select name="facts-type" value={f.type} onChange={(e) => setF((x) => ({ ...x, type: e.target.value as typeof f.type, subtype: '' }))}>
              {ALLEGATION_TYPES.map((c) => <option key={c} value={c}>{t(`conduct.types.${c}`)}</option>)}
            </select>
          </Field>
          <Field label={t('conduct.subtype')} error={errors.subtype}>
            <select name="facts-subtype" value={f.subtype} onChange={(e) => set('subtype', e.target.value)}>
              <option value="">{t('conduct.noSubtype')}</option>
              {ALLEGATION_SUBTYPES[f.type].map((s) => <option key={s} value={s}>{t(`conduct.subtypes.${s}`)}</option>)}
            </select>
          </Field>
          <Field label={t('conduct.perpetrators')} error={errors.perpetrators ?? (validCount ? null : t('errors.invalidNumber'))}>
            <input name="facts-perpetrators" dir="ltr" inputMode="numeric" value={f.perpetrators} onChange={(e) => set('perpetrators', e.target.value)} />
          </Field>
        </div>
        <label className="choice"><input type="checkbox" name="facts-urgent" checked={f.urgent} onChange={(e) => set('urgent', e.target.checked)} /><span>{t('conduct.urgent')}</span></label>
        <div><button type="submit" className="primary" disabled={busy || !validCount || missingDate}>{t('conduct.saveFacts')}</button></div>
      </form>
    </details>
  );
}

type IdentityAction = 'keep' | 'replace' | 'erase';
type LinkAction = 'keep' | 'link' | 'withdraw';

/** One victim corrected: age and sex, an identity recorded later or erased, a case link made or withdrawn. */
export function VictimCorrection({ view, onSaved }: { view: AllegationView; onSaved: Saved }) {
  const { t } = useTranslation();
  const [ref, setRef] = useState(view.victims[0]?.ref ?? '');
  const victim = view.victims.find((v) => v.ref === ref) as Victim | undefined;
  const [age, setAge] = useState<Victim['age_class'] | ''>('');
  const [sex, setSex] = useState<Victim['sex'] | ''>('');
  const [identity, setIdentity] = useState<IdentityAction>('keep');
  const [id, setId] = useState({ full_name: '', date_of_birth: '', contact: '' });
  const [link, setLink] = useState<LinkAction>('keep');
  const [consent, setConsent] = useState(false);
  const [caseRef, setCaseRef] = useState('');
  const { errors, busy, run } = useSubmit(onSaved);
  if (!victim) return null;
  const ageNow = age || victim.age_class;
  const sexNow = sex || victim.sex;
  const body = {
    ...(ageNow !== victim.age_class && { age_class: ageNow }),
    ...(sexNow !== victim.sex && { sex: sexNow }),
    ...(identity === 'erase' && { identity: null }),
    ...(identity === 'replace' && id.full_name.trim() && { identity: { full_name: id.full_name.trim(), date_of_birth: id.date_of_birth.trim() || null, contact: id.contact.trim() } }),
    ...(link === 'withdraw' && { case_link: null }),
    ...(link === 'link' && consent && caseRef.trim() && { case_link: { consent: true, case_ref: caseRef.trim() } }),
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(() => api.updateAllegationVictim(view.id, victim.ref, body), t('conduct.victimCorrected'));
  };
  return (
    <details className="conduct-fix-victim">
      <summary>{t('conduct.correctVictim')}</summary>
      <form onSubmit={submit} noValidate>
        {errors._ && <Notice kind="error">{errors._}</Notice>}
        <div className="details-grid">
          <Field label={t('conduct.assistanceVictim')}>
            <select name="fix-victim" value={ref} onChange={(e) => { setRef(e.target.value); setAge(''); setSex(''); setLink('keep'); setIdentity('keep'); }}>
              {view.victims.map((v) => <option key={v.ref} value={v.ref}>{v.ref}</option>)}
            </select>
          </Field>
          <Field label={t('conduct.ageLabel')}>
            <select name="fix-age_class" value={ageNow} onChange={(e) => setAge(e.target.value as Victim['age_class'])}>
              {AGE_CLASSES.map((a) => <option key={a} value={a}>{t(`conduct.ageClass.${a}`)}</option>)}
            </select>
          </Field>
          <Field label={t('conduct.sexLabel')}>
            <select name="fix-sex" value={sexNow} onChange={(e) => setSex(e.target.value as Victim['sex'])}>
              {SEXES.map((s) => <option key={s} value={s}>{t(`conduct.sexes.${s}`)}</option>)}
            </select>
          </Field>
          <Field label={t('conduct.identity')}>
            <select name="fix-identity" value={identity} onChange={(e) => setIdentity(e.target.value as IdentityAction)}>
              <option value="keep">{t('conduct.identityKeep')}</option>
              <option value="replace">{t('conduct.identityReplace')}</option>
              <option value="erase">{t('conduct.identityErase')}</option>
            </select>
          </Field>
          <Field label={t('conduct.caseLink')}>
            <select name="fix-link" value={link} onChange={(e) => setLink(e.target.value as LinkAction)}>
              <option value="keep">{t('conduct.linkKeep')}</option>
              <option value="link">{t('conduct.linkMake')}</option>
              {victim.case_link_consent && <option value="withdraw">{t('conduct.linkWithdraw')}</option>}
            </select>
          </Field>
        </div>
        {identity === 'replace' && (
          <fieldset className="conduct-sealed">
            <legend>{t('conduct.identity')}</legend>
            <div className="details-grid">
              <Field label={t('conduct.fullName')} error={errors['identity.full_name']}><input name="fix-full_name" autoComplete="off" value={id.full_name} onChange={(e) => setId({ ...id, full_name: e.target.value })} /></Field>
              <Field label={t('conduct.dateOfBirth')} error={errors['identity.date_of_birth']}><input name="fix-date_of_birth" dir="ltr" autoComplete="off" value={id.date_of_birth} onChange={(e) => setId({ ...id, date_of_birth: e.target.value })} /></Field>
              <Field label={t('conduct.contact')}><input name="fix-contact" autoComplete="off" value={id.contact} onChange={(e) => setId({ ...id, contact: e.target.value })} /></Field>
            </div>
          </fieldset>
        )}
        {link === 'link' && (
          <fieldset>
            <legend>{t('conduct.caseLink')}</legend>
            <label className="choice"><input type="checkbox" name="fix-consent" checked={consent} onChange={(e) => setConsent(e.target.checked)} /><span>{t('conduct.consent')}</span></label>
            <Field label={t('conduct.caseRef')} error={errors['case_link.case_ref']}><input name="fix-case_ref" dir="ltr" autoComplete="off" value={caseRef} onChange={(e) => setCaseRef(e.target.value)} /></Field>
          </fieldset>
        )}
        <button type="submit" className="primary" disabled={busy || Object.keys(body).length === 0}>{t('conduct.saveCorrection')}</button>
      </form>
    </details>
  );
}
