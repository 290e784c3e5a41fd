import { useTranslation } from 'react-i18next';
import type { AllegationView } from '../../api/types.ts';
import { Field } from '../../components/field.tsx';
import { REFERRAL_ENTITIES } from '../../../../src/modules/sea/vocabulary.ts';

type Entity = (typeof REFERRAL_ENTITIES)[number];
export interface ReferralDraft { entity: Entity; referred_on: string; ms_response_on: string; ms_will_investigate: '' | 'yes' | 'no'; nio_appointed_on: string }

export const emptyReferral = (): ReferralDraft => ({ entity: 'tcc', referred_on: new Date().toISOString().slice(0, 10), ms_response_on: '', ms_will_investigate: '', nio_appointed_on: '' });

export function referralDraft(r: AllegationView['referral']): ReferralDraft {
  if (!r) return emptyReferral();
  return {
    entity: r.entity, referred_on: r.referred_on, ms_response_on: r.ms_response_on ?? '', nio_appointed_on: r.nio_appointed_on ?? '',
    ms_will_investigate: r.ms_will_investigate === null ? '' : r.ms_will_investigate ? 'yes' : 'no',
  };
}

/** The Member State's answer and the NIO belong to a TCC referral only: the fields are not offered otherwise. */
export function referralBody(r: ReferralDraft) {
  const tcc = r.entity === 'tcc';
  return {
    entity: r.entity, referred_on: r.referred_on,
    ms_response_on: tcc && r.ms_response_on ? r.ms_response_on : null,
    ms_will_investigate: tcc && r.ms_will_investigate ? r.ms_will_investigate === 'yes' : null,
    nio_appointed_on: tcc && r.nio_appointed_on ? r.nio_appointed_on : null,
  };
}

export function ReferralFields({ value, onChange, errors, min }: { value: ReferralDraft; onChange(r: ReferralDraft): void; errors: Record<string, string>; min?: string }) {
  const { t } = useTranslation();
  const set = <K extends keyof ReferralDraft>(k: K, v: ReferralDraft[K]) => onChange({ ...value, [k]: v });
  const max = new Date().toISOString().slice(0, 10);
  return (
    <div className="details-grid">
      <Field label={t('conduct.entity')} error={errors['referral.entity']}>
        <select name="referral-entity" value={value.entity} onChange={(e) => set('entity', e.target.value as Entity)}>
          {REFERRAL_ENTITIES.map((x) => <option key={x} value={x}>{t(`conduct.entities.${x}`)}</option>)}
        </select>
      </Field>
      <Field label={t('conduct.referredOn')} error={errors['referral.referred_on']}>
        <input type="date" name="referral-referred_on" dir="ltr" min={min} max={max} value={value.referred_on} onChange={(e) => set('referred_on', e.target.value)} />
      </Field>
      {value.entity === 'tcc' && (
        <>
          <Field label={t('conduct.msResponseOn')} error={errors['referral.ms_response_on']}>
            <input type="date" name="referral-ms_response_on" dir="ltr" min={value.referred_on} max={max} value={value.ms_response_on} onChange={(e) => set('ms_response_on', e.target.value)} />
          </Field>
          <Field label={t('conduct.msWillInvestigate')}>
            <select name="referral-ms_will_investigate" value={value.ms_will_investigate} onChange={(e) => set('ms_will_investigate', e.target.value as ReferralDraft['ms_will_investigate'])}>
              <option value="">{t('conduct.unknownAnswer')}</option>
              <option value="yes">{t('app.yes')}</option>
              <option value="no">{t('app.no')}</option>
            </select>
          </Field>
          <Field label={t('conduct.nioAppointedOn')} error={errors['referral.nio_appointed_on']}>
            <input type="date" name="referral-nio_appointed_on" dir="ltr" min={value.referred_on} max={max} value={value.nio_appointed_on} onChange={(e) => set('nio_appointed_on', e.target.value)} />
          </Field>
        </>
      )}
    </div>
  );
}
