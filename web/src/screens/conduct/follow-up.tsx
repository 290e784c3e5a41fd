import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api/client.ts';
import type { AllegationUpdate, AllegationView } from '../../api/types.ts';
import { Field, Notice, errorText } from '../../components/field.tsx';
import { ACTION_KINDS, OUTCOMES } from '../../../../src/modules/sea/vocabulary.ts';
import { ClaimFields, type ClaimDraft } from './allegation-form.tsx';
import { ReferralFields, referralBody, referralDraft } from './referral-fields.tsx';

type Saved = (view: AllegationView, message: string) => void;
const today = () => new Date().toISOString().slice(0, 10);

/** One PATCH with the version the page holds; a field the server names gets its error beside it. */
function usePatch(view: AllegationView, onSaved: Saved) {
  const { t } = useTranslation();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  async function save(change: Omit<AllegationUpdate, 'version'>, message: string) {
    setBusy(true);
    setErrors({});
    try {
      onSaved(await api.updateAllegation(view.id, { version: view.version, ...change }), message);
    } catch (err) {
      setErrors({ [err instanceof ApiError && err.field && err.field !== 'version' ? err.field : '_']: errorText(t, err) });
    } finally {
      setBusy(false);
    }
  }
  return { errors, busy, save };
}

export function ReferralForm({ view, onSaved }: { view: AllegationView; onSaved: Saved }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState(referralDraft(view.referral));
  const { errors, busy, save } = usePatch(view, onSaved);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save({ referral: referralBody(draft) }, t('conduct.referralSaved'));
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby="conduct-referral">
      <h2 id="conduct-referral">{t('conduct.referralTitle')}</h2>
      {!view.referral && <p className="hint">{t('conduct.notReferredYet')}</p>}
      {errors._ && <Notice kind="error">{errors._}</Notice>}
      <ReferralFields value={draft} onChange={setDraft} errors={errors} min={view.received_on} />
      <button type="submit" className="primary" disabled={busy || !draft.referred_on}>{t('conduct.saveReferral')}</button>
    </form>
  );
}

type Action = AllegationView['actions'][number];

export function OutcomeForm({ view, onSaved }: { view: AllegationView; onSaved: Saved }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState(view.outcome.status);
  const [on, setOn] = useState(view.outcome.on ?? '');
  const [actions, setActions] = useState<Action[]>(view.actions);
  const [reported, setReported] = useState(view.actions_reported_on ?? '');
  const { errors, busy, save } = usePatch(view, onSaved);
  const missingDate = status !== 'pending' && !on;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (missingDate) return;
    void save({ outcome: { status, on: status === 'pending' ? null : on }, actions, actions_reported_on: reported || null }, t('conduct.outcomeSaved'));
  };
  const setAction = (i: number, a: Partial<Action>) => setActions((all) => all.map((x, j) => (j === i ? { ...x, ...a } : x)));
  return (
    <form onSubmit={submit} noValidate aria-labelledby="conduct-outcome">
      <h2 id="conduct-outcome">{t('conduct.outcomeTitle')}</h2>
      {errors._ && <Notice kind="error">{errors._}</Notice>}
      <div className="details-grid">
        <Field label={t('conduct.outcome')} error={errors['outcome.status']}>
          <select name="outcome-status" value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
            {OUTCOMES.map((o) => <option key={o} value={o}>{t(`conduct.outcomes.${o}`)}</option>)}
          </select>
        </Field>
        {status !== 'pending' && (
          <Field label={t('conduct.outcomeOn')} error={errors['outcome.on'] ?? (missingDate ? t('errors.required') : undefined)}>
            <input type="date" name="outcome-on" dir="ltr" min={view.received_on} max={today()} value={on} onChange={(e) => setOn(e.target.value)} />
          </Field>
        )}
      </div>
      <fieldset>
        <legend>{t('conduct.actions')}</legend>
        {actions.length === 0 && <p className="hint">{t('conduct.noActions')}</p>}
        {actions.map((a, i) => (
          <div key={i} className="details-grid conduct-action">
            <Field label={t('conduct.actionKind')} error={errors[`actions.${i}.kind`]}>
              <select name={`action-${i}-kind`} value={a.kind} onChange={(e) => setAction(i, { kind: e.target.value as Action['kind'] })}>
                {ACTION_KINDS.map((k) => <option key={k} value={k}>{t(`conduct.actionKinds.${k}`)}</option>)}
              </select>
            </Field>
            <Field label={t('conduct.actionStage')}>
              <select name={`action-${i}-stage`} value={a.stage} onChange={(e) => setAction(i, { stage: e.target.value as Action['stage'] })}>
                <option value="interim">{t('conduct.stages.interim')}</option>
                <option value="final">{t('conduct.stages.final')}</option>
              </select>
            </Field>
            <Field label={t('conduct.actionOn')} error={errors[`actions.${i}.on`]}>
              <input type="date" name={`action-${i}-on`} dir="ltr" value={a.on} onChange={(e) => setAction(i, { on: e.target.value })} />
            </Field>
            <button type="button" className="link-button danger" onClick={() => setActions((all) => all.filter((_, j) => j !== i))}>{t('conduct.removeAction')}</button>
          </div>
        ))}
        <button type="button" onClick={() => setActions((all) => [...all, { kind: 'administrative_leave', stage: 'interim', on: today() }])}>{t('conduct.addAction')}</button>
      </fieldset>
      <Field label={t('conduct.actionsReportedOn')} error={errors.actions_reported_on}>
        <input type="date" name="actions_reported_on" dir="ltr" value={reported} onChange={(e) => setReported(e.target.value)} />
      </Field>
      <button type="submit" className="primary" disabled={busy || missingDate || actions.some((a) => !a.on)}>{t('conduct.saveOutcome')}</button>
    </form>
  );
}

export function PaternityForm({ view, onSaved }: { view: AllegationView; onSaved: Saved }) {
  const { t } = useTranslation();
  const [claims, setClaims] = useState<ClaimDraft[]>(view.paternity_claims as ClaimDraft[]);
  const { errors, busy, save } = usePatch(view, onSaved);
  const refs = view.victims.map((v) => v.ref);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save({ paternity_claims: claims.map((c) => ({ ...c, ref: c.ref.trim() })) }, t('conduct.paternitySaved'));
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby="conduct-paternity">
      <h2 id="conduct-paternity">{t('conduct.sectionPaternity')}</h2>
      {errors._ && <Notice kind="error">{errors._}</Notice>}
      {claims.length === 0 && <p>{t('conduct.noClaims')}</p>}
      {claims.map((c, i) => (
        <ClaimFields key={i} index={i} value={c} victimRefs={refs} errors={errors} errorPrefix={`paternity_claims.${i}.`}
          onChange={(nc) => setClaims((all) => all.map((x, j) => (j === i ? nc : x)))} onRemove={() => setClaims((all) => all.filter((_, j) => j !== i))} />
      ))}
      <div className="button-row">
        <button type="button" disabled={refs.length === 0}
          onClick={() => setClaims((all) => [...all, { ref: `PC-${all.length + 1}`, victim_ref: refs[0] ?? '', status: 'lodged', child_support: 'not_claimed', lodged_on: today() }])}>
          {t('conduct.addClaim')}
        </button>
        <button type="submit" className="primary" disabled={busy || claims.some((c) => !c.ref.trim() || !c.lodged_on)}>{t('conduct.savePaternity')}</button>
      </div>
    </form>
  );
}
