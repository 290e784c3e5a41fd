import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api/client.ts';
import type { AllegationCreate } from '../../api/types.ts';
import { Field, Notice, errorText } from '../../components/field.tsx';
import { Link, navigate } from '../../router.ts';
import {
  ALLEGATION_SUBTYPES, ALLEGATION_TYPES, CHILD_SUPPORT_STATUSES, PATERNITY_STATUSES, PERSONNEL_CATEGORIES, UNIFORMED,
} from '../../../../src/modules/sea/vocabulary.ts';
import { ReferralFields, emptyReferral, referralBody, type ReferralDraft } from './referral-fields.tsx';
import { VictimFields, emptyVictim, victimBody, type VictimDraft } from './victim-fields.tsx';

type Category = (typeof PERSONNEL_CATEGORIES)[number];
type AllegationType = (typeof ALLEGATION_TYPES)[number];
interface ClaimDraft { ref: string; victim_ref: string; status: (typeof PATERNITY_STATUSES)[number]; child_support: (typeof CHILD_SUPPORT_STATUSES)[number]; lodged_on: string }

const today = () => new Date().toISOString().slice(0, 10);

/**
 * Recording an allegation: every field of issue 10 on one page. Nothing is kept as a draft on the
 * device: names and the narrative must not outlive the form.
 */
export function AllegationForm() {
  const { t } = useTranslation();
  const [f, setF] = useState({
    received_on: today(), incident_date: '', precision: 'day' as 'day' | 'month' | 'year' | 'unknown', personnel_category: '' as Category | '',
    contingent_nationality: '', type: '' as AllegationType | '', subtype: '', perpetrators: '1', urgent: false, narrative: '',
  });
  const [victims, setVictims] = useState<VictimDraft[]>([emptyVictim(1)]);
  const [claims, setClaims] = useState<ClaimDraft[]>([]);
  const [refer, setRefer] = useState(false);
  const [referral, setReferral] = useState<ReferralDraft>(emptyReferral());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof typeof f>(k: K, v: (typeof f)[K]) => setF((x) => ({ ...x, [k]: v }));
  const uniformed = f.personnel_category !== '' && UNIFORMED.includes(f.personnel_category);

  function localErrors(): Record<string, string> {
    const e: Record<string, string> = {};
    const required = t('errors.required');
    if (!f.received_on) e.received_on = required;
    if (!f.personnel_category) e.personnel_category = required;
    if (!f.type) e.type = required;
    if (f.precision !== 'unknown' && !f.incident_date) e['incident.date'] = required;
    if (!/^\d+$/.test(f.perpetrators.trim())) e.perpetrators = t('errors.invalidNumber');
    victims.forEach((v, i) => { if (!v.ref.trim()) e[`victims.${i}.ref`] = required; });
    claims.forEach((c, i) => { if (!c.ref.trim()) e[`paternity_claims.${i}.ref`] = required; if (!c.lodged_on) e[`paternity_claims.${i}.lodged_on`] = required; });
    if (refer && !referral.referred_on) e['referral.referred_on'] = required;
    return e;
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const local = localErrors();
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    const body: AllegationCreate = {
      received_on: f.received_on,
      incident: { date: f.precision === 'unknown' ? null : f.incident_date, precision: f.precision },
      personnel_category: f.personnel_category as Category,
      contingent_nationality: uniformed && f.contingent_nationality.trim() ? f.contingent_nationality.trim().toUpperCase() : null,
      type: f.type as AllegationType, subtype: f.subtype || null, perpetrators: Number(f.perpetrators), urgent: f.urgent, narrative: f.narrative,
      victims: victims.map(victimBody),
      paternity_claims: claims.map((c) => ({ ...c, ref: c.ref.trim() })),
      referral: refer ? referralBody(referral) : null,
    };
    setBusy(true);
    try {
      const created = await api.createAllegation(body);
      navigate(`/conduct/allegations/${created.id}?saved=1`);
    } catch (err) {
      setErrors({ [err instanceof ApiError && err.field ? err.field : '_']: errorText(t, err) });
    } finally {
      setBusy(false);
    }
  }

  const fieldErrors = Object.keys(errors).filter((k) => k !== '_').length > 0;
  const victimRefs = victims.map((v) => v.ref.trim()).filter(Boolean);
  return (
    <form className="conduct-form" onSubmit={submit} noValidate>
      <h1 tabIndex={-1}>{t('conduct.formTitle')}</h1>
      <p className="hint">{t('conduct.formIntro')}</p>
      {errors._ && <Notice kind="error">{errors._}</Notice>}
      {fieldErrors && <Notice kind="error">{t('conduct.fixErrors')}</Notice>}

      <section className="card" aria-labelledby="conduct-sec-allegation">
        <h2 id="conduct-sec-allegation">{t('conduct.sectionAllegation')}</h2>
        <div className="details-grid">
          <Field label={t('conduct.receivedOn')} error={errors.received_on}>
            <input type="date" name="received_on" dir="ltr" max={today()} value={f.received_on} onChange={(e) => set('received_on', e.target.value)} />
          </Field>
          <Field label={t('conduct.incidentPrecision')}>
            <select name="incident_precision" value={f.precision} onChange={(e) => set('precision', e.target.value as typeof f.precision)}>
              {(['day', 'month', 'year', 'unknown'] as const).map((p) => <option key={p} value={p}>{t(`conduct.precision.${p}`)}</option>)}
            </select>
          </Field>
          {f.precision !== 'unknown' && (
            <Field label={t('conduct.incidentDate')} error={errors['incident.date']}>
              <input type="date" name="incident_date" dir="ltr" max={f.received_on || today()} value={f.incident_date} onChange={(e) => set('incident_date', e.target.value)} />
            </Field>
          )}
          <Field label={t('conduct.personnelCategory')} error={errors.personnel_category}>
            <select name="personnel_category" value={f.personnel_category} onChange={(e) => set('personnel_category', e.target.value as Category)}>
              <option value="">{t('conduct.choose')}</option>
              {PERSONNEL_CATEGORIES.map((c) => <option key={c} value={c}>{t(`conduct.personnel.${c}`)}</option>)}
            </select>
          </Field>
          {uniformed && (
            <Field label={t('conduct.nationality')} hint={t('conduct.nationalityHint')} error={errors.contingent_nationality}>
              <input name="contingent_nationality" dir="ltr" maxLength={3} autoCapitalize="characters" value={f.contingent_nationality}
                onChange={(e) => set('contingent_nationality', e.target.value.toUpperCase())} />
            </Field>
          )}
          <Field label={t('conduct.type')} error={errors.type}>
            <select name="type" value={f.type} onChange={(e) => setF((x) => ({ ...x, type: e.target.value as AllegationType, subtype: '' }))}>
              <option value="">{t('conduct.choose')}</option>
              {ALLEGATION_TYPES.map((c) => <option key={c} value={c}>{t(`conduct.types.${c}`)}</option>)}
            </select>
          </Field>
          {f.type && (
            <Field label={t('conduct.subtype')} error={errors.subtype}>
              <select name="subtype" value={f.subtype} onChange={(e) => set('subtype', e.target.value)}>
                <option value="">{t('conduct.noSubtype')}</option>
                {ALLEGATION_SUBTYPES[f.type].map((s) => <option key={s} value={s}>{t(`conduct.subtypes.${s}`)}</option>)}
              </select>
            </Field>
          )}
          <Field label={t('conduct.perpetrators')} error={errors.perpetrators}>
            <input name="perpetrators" dir="ltr" inputMode="numeric" value={f.perpetrators} onChange={(e) => set('perpetrators', e.target.value)} />
          </Field>
        </div>
        <label className="choice"><input type="checkbox" name="urgent" checked={f.urgent} onChange={(e) => set('urgent', e.target.checked)} /><span>{t('conduct.urgent')}</span></label>
        <Field label={t('conduct.narrative')} hint={t('conduct.narrativeHint')} error={errors.narrative}>
          <textarea name="narrative" rows={5} value={f.narrative} onChange={(e) => set('narrative', e.target.value)} />
        </Field>
      </section>

      <section className="card" aria-labelledby="conduct-sec-victims">
        <h2 id="conduct-sec-victims">{t('conduct.sectionVictims')}</h2>
        {victims.map((v, i) => (
          <fieldset key={i} className="conduct-victim">
            <legend>{t('conduct.victimN', { n: i + 1 })}</legend>
            <VictimFields value={v} name={`victim-${i}`} errors={errors} errorPrefix={`victims.${i}.`} onChange={(nv) => setVictims((all) => all.map((x, j) => (j === i ? nv : x)))} />
            <button type="button" className="link-button danger" onClick={() => setVictims((all) => all.filter((_, j) => j !== i))}>{t('conduct.removeVictim')}</button>
          </fieldset>
        ))}
        <button type="button" onClick={() => setVictims((all) => [...all, emptyVictim(all.length + 1)])}>{t('conduct.addVictim')}</button>
      </section>

      <section className="card" aria-labelledby="conduct-sec-paternity">
        <h2 id="conduct-sec-paternity">{t('conduct.sectionPaternity')}</h2>
        {claims.map((c, i) => (
          <ClaimFields key={i} index={i} value={c} victimRefs={victimRefs} errors={errors} errorPrefix={`paternity_claims.${i}.`}
            onChange={(nc) => setClaims((all) => all.map((x, j) => (j === i ? nc : x)))} onRemove={() => setClaims((all) => all.filter((_, j) => j !== i))} />
        ))}
        <button type="button" disabled={victimRefs.length === 0}
          onClick={() => setClaims((all) => [...all, { ref: `PC-${all.length + 1}`, victim_ref: victimRefs[0] ?? '', status: 'lodged', child_support: 'not_claimed', lodged_on: today() }])}>
          {t('conduct.addClaim')}
        </button>
      </section>

      <section className="card" aria-labelledby="conduct-sec-referral">
        <h2 id="conduct-sec-referral">{t('conduct.sectionReferral')}</h2>
        <label className="choice"><input type="checkbox" name="refer" checked={refer} onChange={(e) => setRefer(e.target.checked)} /><span>{t('conduct.referNow')}</span></label>
        {refer && <ReferralFields value={referral} onChange={setReferral} errors={errors} min={f.received_on} />}
      </section>

      <div className="sticky-actions button-row">
        <button type="submit" className="primary" disabled={busy}>{busy ? t('conduct.submitting') : t('conduct.submit')}</button>
        <Link to="/conduct">{t('app.cancel')}</Link>
      </div>
    </form>
  );
}

export function ClaimFields({ index, value, victimRefs, errors, errorPrefix, onChange, onRemove }: {
  index: number; value: ClaimDraft; victimRefs: string[]; errors: Record<string, string>; errorPrefix: string; onChange(c: ClaimDraft): void; onRemove(): void;
}) {
  const { t } = useTranslation();
  const set = <K extends keyof ClaimDraft>(k: K, v: ClaimDraft[K]) => onChange({ ...value, [k]: v });
  const name = `claim-${index}`;
  return (
    <fieldset>
      <legend>{t('conduct.claimN', { n: index + 1 })}</legend>
      <div className="details-grid">
        <Field label={t('conduct.claimRef')} error={errors[`${errorPrefix}ref`]}>
          <input name={`${name}-ref`} dir="ltr" autoComplete="off" value={value.ref} onChange={(e) => set('ref', e.target.value)} />
        </Field>
        <Field label={t('conduct.claimVictim')} error={errors[`${errorPrefix}victim_ref`]}>
          <select name={`${name}-victim_ref`} value={value.victim_ref} onChange={(e) => set('victim_ref', e.target.value)}>
            {victimRefs.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </Field>
        <Field label={t('conduct.claimStatus')}>
          <select name={`${name}-status`} value={value.status} onChange={(e) => set('status', e.target.value as ClaimDraft['status'])}>
            {PATERNITY_STATUSES.map((s) => <option key={s} value={s}>{t(`conduct.paternity.${s}`)}</option>)}
          </select>
        </Field>
        <Field label={t('conduct.childSupport')}>
          <select name={`${name}-child_support`} value={value.child_support} onChange={(e) => set('child_support', e.target.value as ClaimDraft['child_support'])}>
            {CHILD_SUPPORT_STATUSES.map((s) => <option key={s} value={s}>{t(`conduct.childSupportStatuses.${s}`)}</option>)}
          </select>
        </Field>
        <Field label={t('conduct.lodgedOn')} error={errors[`${errorPrefix}lodged_on`]}>
          <input type="date" name={`${name}-lodged_on`} dir="ltr" value={value.lodged_on} onChange={(e) => set('lodged_on', e.target.value)} />
        </Field>
      </div>
      <button type="button" className="link-button danger" onClick={onRemove}>{t('conduct.removeClaim')}</button>
    </fieldset>
  );
}
export type { ClaimDraft };
