import { useTranslation } from 'react-i18next';
import type { VictimAdd } from '../../api/types.ts';
import { Field } from '../../components/field.tsx';
import { AGE_CLASSES, SEXES } from '../../../../src/modules/sea/vocabulary.ts';

/** A victim as typed: the identity and the case link are optional and sent only when filled in. */
export interface VictimDraft {
  ref: string; age_class: (typeof AGE_CLASSES)[number]; sex: (typeof SEXES)[number];
  full_name: string; date_of_birth: string; contact: string; consent: boolean; case_ref: string;
}

export const emptyVictim = (n: number): VictimDraft => ({
  ref: `SV-${n}`, age_class: 'minor', sex: 'female', full_name: '', date_of_birth: '', contact: '', consent: false, case_ref: '',
});

/** What the server takes. A case link is sent only with consent ticked, so the server never has to refuse one. */
export function victimBody(v: VictimDraft): VictimAdd {
  const name = v.full_name.trim();
  return {
    ref: v.ref.trim(), age_class: v.age_class, sex: v.sex,
    ...(name && { identity: { full_name: name, date_of_birth: v.date_of_birth.trim() || null, contact: v.contact.trim() } }),
    ...(v.consent && v.case_ref.trim() && { case_link: { consent: true, case_ref: v.case_ref.trim() } }),
  };
}

/**
 * One victim's fields. `errorPrefix` is where the server names this victim's fields ("victims.0." in
 * a new allegation, "" when adding one), so its errors land beside the right control.
 */
export function VictimFields({ value, onChange, name, errors, errorPrefix }: {
  value: VictimDraft; onChange(v: VictimDraft): void; name: string; errors: Record<string, string>; errorPrefix: string;
}) {
  const { t } = useTranslation();
  const set = <K extends keyof VictimDraft>(k: K, v: VictimDraft[K]) => onChange({ ...value, [k]: v });
  const err = (f: string) => errors[`${errorPrefix}${f}`];
  return (
    <>
      <div className="details-grid">
        <Field label={t('conduct.victimRef')} hint={t('conduct.victimRefHint')} error={err('ref')}>
          <input name={`${name}-ref`} dir="ltr" autoComplete="off" value={value.ref} onChange={(e) => set('ref', e.target.value)} />
        </Field>
        <Field label={t('conduct.ageLabel')} error={err('age_class')}>
          <select name={`${name}-age_class`} value={value.age_class} onChange={(e) => set('age_class', e.target.value as VictimDraft['age_class'])}>
            {AGE_CLASSES.map((a) => <option key={a} value={a}>{t(`conduct.ageClass.${a}`)}</option>)}
          </select>
        </Field>
        <Field label={t('conduct.sexLabel')} error={err('sex')}>
          <select name={`${name}-sex`} value={value.sex} onChange={(e) => set('sex', e.target.value as VictimDraft['sex'])}>
            {SEXES.map((s) => <option key={s} value={s}>{t(`conduct.sexes.${s}`)}</option>)}
          </select>
        </Field>
      </div>
      <fieldset className="conduct-sealed">
        <legend>{t('conduct.identity')}</legend>
        <p className="hint">{t('conduct.identityHint')}</p>
        <div className="details-grid">
          <Field label={t('conduct.fullName')} error={err('identity.full_name')}>
            <input name={`${name}-full_name`} autoComplete="off" value={value.full_name} onChange={(e) => set('full_name', e.target.value)} />
          </Field>
          <Field label={t('conduct.dateOfBirth')} error={err('identity.date_of_birth')}>
            <input name={`${name}-date_of_birth`} dir="ltr" autoComplete="off" inputMode="numeric" placeholder="YYYY-MM-DD" value={value.date_of_birth}
              onChange={(e) => set('date_of_birth', e.target.value)} disabled={!value.full_name.trim()} />
          </Field>
          <Field label={t('conduct.contact')} error={err('identity.contact')}>
            <input name={`${name}-contact`} autoComplete="off" value={value.contact} onChange={(e) => set('contact', e.target.value)} disabled={!value.full_name.trim()} />
          </Field>
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('conduct.caseLink')}</legend>
        <label className="choice">
          <input type="checkbox" name={`${name}-consent`} checked={value.consent} onChange={(e) => set('consent', e.target.checked)} />
          <span>{t('conduct.consent')}</span>
        </label>
        {value.consent && (
          <Field label={t('conduct.caseRef')} error={err('case_link.case_ref') ?? err('case_link.consent')}>
            <input name={`${name}-case_ref`} dir="ltr" autoComplete="off" value={value.case_ref} onChange={(e) => set('case_ref', e.target.value)} />
          </Field>
        )}
      </fieldset>
    </>
  );
}
