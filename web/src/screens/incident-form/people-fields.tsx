import { useTranslation } from 'react-i18next';
import { Field } from '../../components/field.tsx';
import type { SourceDraft, VictimDraft } from './draft.ts';

export const SOURCE_CATEGORIES = ['primary_victim', 'primary_witness', 'primary_alleged_perpetrator', 'secondary'] as const;
export const SOURCE_TYPES = ['oral_testimony', 'written_statement', 'document', 'photo', 'video', 'direct_observation', 'satellite_imagery',
  'physical_evidence', 'injuries', 'other'] as const;
const GRADES = ['high', 'medium', 'low'] as const;

/**
 * Individual victims and the sources of a violation, by pseudonymous reference only: the form never
 * asks for a name, so neither the draft nor the device holds one (identities are entered where they
 * are sealed, not here).
 */
export function VictimsFields({ index, value, onChange, errorFor }: {
  index: number; value: VictimDraft[]; onChange(v: VictimDraft[]): void; errorFor(path: string): string | null;
}) {
  const { t } = useTranslation();
  const set = (i: number, patch: Partial<VictimDraft>) => onChange(value.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  return (
    <fieldset className="people">
      <legend>{t('people.victims')}</legend>
      <p className="hint">{t('people.victimsHelp')}</p>
      {value.map((v, i) => (
        <div className="person-row" key={i}>
          <Field label={t('people.ref')} error={errorFor(`violations.${index}.victims.${i}.ref`)}>
            <input name={`violation-${index}-victim-${i}-ref`} dir="ltr" autoComplete="off" value={v.ref} onChange={(e) => set(i, { ref: e.target.value })} />
          </Field>
          <Field label={t('people.sex')}>
            <select name={`violation-${index}-victim-${i}-sex`} value={v.sex} onChange={(e) => set(i, { sex: e.target.value as VictimDraft['sex'] })}>
              <option value="female">{t('form.girls')}</option>
              <option value="male">{t('form.boys')}</option>
              <option value="unknown">{t('form.sexUnknown')}</option>
            </select>
          </Field>
          <Field label={t('people.age')} error={errorFor(`violations.${index}.victims.${i}.age`)}>
            <input name={`violation-${index}-victim-${i}-age`} type="number" inputMode="numeric" min={0} max={17} value={v.age} onChange={(e) => set(i, { age: e.target.value })} />
          </Field>
          <label className="choice">
            <input type="checkbox" checked={v.ageEstimated} onChange={(e) => set(i, { ageEstimated: e.target.checked })} />
            <span>{t('people.ageEstimated')}</span>
          </label>
          <button type="button" className="link-button danger" onClick={() => onChange(value.filter((_, j) => j !== i))}>{t('people.removeVictim')}</button>
        </div>
      ))}
      {errorFor(`violations.${index}.victims`) && <p className="error" role="alert">{errorFor(`violations.${index}.victims`)}</p>}
      <button type="button" onClick={() => onChange([...value, { ref: '', sex: 'unknown', age: '', ageEstimated: false }])}>{t('people.addVictim')}</button>
    </fieldset>
  );
}

export function SourcesFields({ index, value, onChange, errorFor }: {
  index: number; value: SourceDraft[]; onChange(v: SourceDraft[]): void; errorFor(path: string): string | null;
}) {
  const { t } = useTranslation();
  const set = (i: number, patch: Partial<SourceDraft>) => onChange(value.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  return (
    <fieldset className="people">
      <legend>{t('people.sources')}</legend>
      <p className="hint">{t('people.sourcesHelp')}</p>
      {value.map((s, i) => (
        <div className="person-row" key={i}>
          <Field label={t('people.ref')} error={errorFor(`violations.${index}.sources.${i}.ref`)}>
            <input name={`violation-${index}-source-${i}-ref`} dir="ltr" autoComplete="off" value={s.ref} onChange={(e) => set(i, { ref: e.target.value })} />
          </Field>
          <Field label={t('people.category')}>
            <select name={`violation-${index}-source-${i}-category`} value={s.category} onChange={(e) => set(i, { category: e.target.value as SourceDraft['category'] })}>
              {SOURCE_CATEGORIES.map((c) => <option key={c} value={c}>{t(`people.categories.${c}`)}</option>)}
            </select>
          </Field>
          <Field label={t('people.type')}>
            <select name={`violation-${index}-source-${i}-type`} value={s.type} onChange={(e) => set(i, { type: e.target.value as SourceDraft['type'] })}>
              {SOURCE_TYPES.map((c) => <option key={c} value={c}>{t(`people.types.${c}`)}</option>)}
            </select>
          </Field>
          <Field label={t('record.reliability')}>
            <select name={`violation-${index}-source-${i}-reliability`} value={s.reliability} onChange={(e) => set(i, { reliability: e.target.value as SourceDraft['reliability'] })}>
              <option value="">—</option>
              {GRADES.map((g) => <option key={g} value={g}>{t(`record.grade.${g}`)}</option>)}
            </select>
          </Field>
          <Field label={t('record.credibility')}>
            <select name={`violation-${index}-source-${i}-credibility`} value={s.credibility} onChange={(e) => set(i, { credibility: e.target.value as SourceDraft['credibility'] })}>
              <option value="">—</option>
              {GRADES.map((g) => <option key={g} value={g}>{t(`record.grade.${g}`)}</option>)}
            </select>
          </Field>
          <label className="choice">
            <input type="checkbox" checked={s.unTrainedMonitor} onChange={(e) => set(i, { unTrainedMonitor: e.target.checked })} />
            <span>{t('people.unTrainedMonitor')}</span>
          </label>
          <button type="button" className="link-button danger" onClick={() => onChange(value.filter((_, j) => j !== i))}>{t('people.removeSource')}</button>
        </div>
      ))}
      {errorFor(`violations.${index}.sources`) && <p className="error" role="alert">{errorFor(`violations.${index}.sources`)}</p>}
      <button type="button" onClick={() => onChange([...value, { ref: '', category: 'primary_witness', type: 'oral_testimony', unTrainedMonitor: true, reliability: '', credibility: '' }])}>
        {t('people.addSource')}
      </button>
    </fieldset>
  );
}
