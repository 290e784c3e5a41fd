import { useTranslation } from 'react-i18next';
import { AGE_BANDS, VICTIM_COUNTED_TYPES, VIOLATION_TYPES } from '../../../../src/modules/mrm/vocabulary.ts';
import type { AgeBand, ViolationType } from '../../api/types.ts';
import { Field } from '../../components/field.tsx';
import { formatNumber } from '../../i18n/index.ts';
import type { Reference } from '../../reference.ts';
import { DetailsFields } from './details-fields.tsx';
import { SourcesFields, VictimsFields } from './people-fields.tsx';
import type { TallyDraft, ViolationDraft } from './draft.ts';

const SEXES = ['boys', 'girls', 'sex_unknown'] as const;
const PARTY_CATEGORY_ORDER = ['state_armed_forces', 'non_state_armed_group', 'international_forces', 'other', 'unknown'];

export function ViolationEditor({ index, value, onChange, onRemove, reference, errorFor, typeFixed = false }: {
  index: number; value: ViolationDraft; onChange(v: ViolationDraft): void; onRemove?: () => void;
  reference: Reference | null; errorFor(path: string): string | null;
  /** A stored violation keeps its type (another type is another violation). */
  typeFixed?: boolean;
}) {
  const { t } = useTranslation();
  const prefix = `violations.${index}`;
  const type = value.type;
  const setTally = (band: AgeBand, sex: keyof TallyDraft, n: string) =>
    onChange({ ...value, tallies: { ...value.tallies, [band]: { ...value.tallies[band], [sex]: n } } });
  const total = (pick: (t: TallyDraft) => string[]) => AGE_BANDS.reduce((sum, b) => sum + pick(value.tallies[b]).reduce((s, x) => s + (Number(x) || 0), 0), 0);

  return (
    <section className="card violation" aria-labelledby={`violation-${value.key}`}>
      <div className="card-head">
        <h3 id={`violation-${value.key}`}>{t('form.violationN', { n: index + 1 })}{type ? ` · ${t(`types.${type}.name`)}` : ''}</h3>
        {onRemove && <button type="button" className="link-button danger" onClick={onRemove}>{t('form.removeViolation')}</button>}
      </div>

      <Field label={t('form.violationType')} error={errorFor(`${prefix}.type`)}>
        <select name={`violation-${index}-type`} value={type} disabled={typeFixed} onChange={(e) => onChange({ ...value, type: e.target.value as ViolationType, details: {} })}>
          <option value="">{t('form.chooseType')}</option>
          {VIOLATION_TYPES.map((vt) => <option key={vt} value={vt}>{t(`types.${vt}.name`)}</option>)}
        </select>
      </Field>

      {type && (
        <>
          <div className="definition" role="note">
            <strong>{t('form.definition')}</strong> {t(`types.${type}.definition`)}
          </div>

          <fieldset className="tallies">
            <legend>{t('form.tallies')}</legend>
            <p className="hint">{VICTIM_COUNTED_TYPES.has(type) ? t('form.countedByChildren') : t('form.countedByIncidents')}</p>
            <table className="tally-table">
              <thead>
                <tr><th scope="col">{t('form.ageBand')}</th>{SEXES.map((s) => <th scope="col" key={s}>{t(s === 'sex_unknown' ? 'form.sexUnknown' : `form.${s}`)}</th>)}</tr>
              </thead>
              <tbody>
                {AGE_BANDS.map((band) => (
                  <tr key={band}>
                    <th scope="row">{t(`ageBand.${band}`)}</th>
                    {SEXES.map((sex) => (
                      <td key={sex}>
                        <input type="number" inputMode="numeric" min={0} step={1} className="tally-input" name={`violation-${index}-${band}-${sex}`}
                          aria-label={`${t(`ageBand.${band}`)}, ${t(sex === 'sex_unknown' ? 'form.sexUnknown' : `form.${sex}`)}`}
                          value={value.tallies[band][sex]} onChange={(e) => setTally(band, sex, e.target.value)} />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">{t('form.total')}</th>
                  {SEXES.map((sex) => <td key={sex}>{formatNumber(total((x) => [x[sex]]))}</td>)}
                </tr>
              </tfoot>
            </table>
            {errorFor(`${prefix}.tallies`) && <p className="error" role="alert">{errorFor(`${prefix}.tallies`)}</p>}
          </fieldset>

          <fieldset>
            <legend>{t('form.perpetrators')}</legend>
            {value.perpetrators.map((p, i) => (
              <div className="perpetrator-row" key={i}>
                <Field label={t('form.party')} error={errorFor(`${prefix}.perpetrators.${i}.party_id`)}>
                  <select name={`violation-${index}-party-${i}`} value={p.party_id}
                    onChange={(e) => onChange({ ...value, perpetrators: value.perpetrators.map((x, j) => (j === i ? { ...x, party_id: e.target.value } : x)) })}>
                    <option value="">{t('form.chooseParty')}</option>
                    {PARTY_CATEGORY_ORDER.map((cat) => {
                      // A retired party is offered only where the violation already names it.
                      const parties = (reference?.parties ?? []).filter((x) => x.category === cat && (x.active !== false || x.id === p.party_id));
                      return parties.length === 0 ? null : (
                        <optgroup key={cat} label={t(`partyCategory.${cat}`)}>
                          {parties.map((x) => <option key={x.id} value={x.id}>{x.name}{x.aliases.length ? ` (${x.aliases.join(', ')})` : ''}</option>)}
                        </optgroup>
                      );
                    })}
                  </select>
                </Field>
                <label className="choice">
                  <input type="checkbox" checked={p.attribution_verified}
                    onChange={(e) => onChange({ ...value, perpetrators: value.perpetrators.map((x, j) => (j === i ? { ...x, attribution_verified: e.target.checked } : x)) })} />
                  <span>{t('form.attributionVerified')}</span>
                </label>
                <button type="button" className="link-button danger" onClick={() => onChange({ ...value, perpetrators: value.perpetrators.filter((_, j) => j !== i) })}>
                  {t('form.removePerpetrator')}
                </button>
              </div>
            ))}
            <button type="button" onClick={() => onChange({ ...value, perpetrators: [...value.perpetrators, { party_id: '', attribution_verified: false }] })}>
              {t('form.addPerpetrator')}
            </button>
          </fieldset>

          <VictimsFields index={index} value={value.victims ?? []} onChange={(victims) => onChange({ ...value, victims })} errorFor={errorFor} />
          <SourcesFields index={index} value={value.sources ?? []} onChange={(sources) => onChange({ ...value, sources })} errorFor={errorFor} />

          <details className="more-details">
            <summary>{t('form.details')}</summary>
            <DetailsFields type={type} value={value.details} onChange={(details) => onChange({ ...value, details })} errorFor={(f) => errorFor(`${prefix}.details.${f}`)} />
            <div className="details-grid">
              <Field label={t('form.crossborder')}>
                <select value={value.crossborder} onChange={(e) => onChange({ ...value, crossborder: e.target.value as ViolationDraft['crossborder'] })}>
                  {(['unknown', 'yes', 'no'] as const).map((o) => <option key={o} value={o}>{t(`opt.${o}`)}</option>)}
                </select>
              </Field>
              <label className="choice">
                <input type="checkbox" checked={value.crossfire} onChange={(e) => onChange({ ...value, crossfire: e.target.checked })} />
                <span>{t('form.crossfire')}</span>
              </label>
            </div>
          </details>
        </>
      )}
    </section>
  );
}
