import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api/client.ts';
import type { AllegationView, AssistanceView } from '../../api/types.ts';
import { Field, Notice, errorText } from '../../components/field.tsx';
import { formatDate } from '../../i18n/index.ts';
import { ASSISTANCE_KINDS, ASSISTANCE_STATUSES } from '../../../../src/modules/sea/vocabulary.ts';

const today = () => new Date().toISOString().slice(0, 10);
type Status = (typeof ASSISTANCE_STATUSES)[number];
const closed = (s: string) => s === 'completed' || s === 'declined';

/** Assistance referrals per victim, each followed to completion (or the victim's refusal). */
export function AssistanceSection({ view, onChanged }: { view: AllegationView; onChanged(items: AssistanceView[], message: string): void }) {
  const { t } = useTranslation();
  const may = view.permitted_actions.includes('add_assistance');
  return (
    <section className="card" aria-labelledby="conduct-assistance">
      <h2 id="conduct-assistance">{t('conduct.assistanceTitle')}</h2>
      {view.assistance.length === 0 ? <p>{t('conduct.noAssistance')}</p> : (
        <div className="table-scroll">
          <table className="data-table">
            <thead><tr>
              <th scope="col">{t('conduct.assistanceKind')}</th><th scope="col">{t('conduct.assistanceVictim')}</th>
              <th scope="col">{t('conduct.assistanceReferredOn')}</th><th scope="col">{t('conduct.assistanceStatus')}</th>
            </tr></thead>
            <tbody>
              {view.assistance.map((a) => (
                <tr key={a.id}>
                  <th scope="row">{t(`conduct.assistanceKinds.${a.kind}`)}</th>
                  <td dir="ltr">{a.victim_ref}</td>
                  <td>{formatDate(a.referred_on)}</td>
                  <td>
                    {t(`conduct.assistanceStatuses.${a.status}`)}{a.completed_on && ` · ${formatDate(a.completed_on)}`}
                    {may && !closed(a.status) && (
                      <StatusForm view={view} item={a} onSaved={(x) => onChanged(view.assistance.map((y) => (y.id === x.id ? x : y)), t('conduct.assistanceSaved'))} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {may && view.victims.length > 0 && <AddAssistance view={view} onAdded={(x) => onChanged([...view.assistance, x], t('conduct.assistanceSaved'))} />}
    </section>
  );
}

function StatusForm({ view, item, onSaved }: { view: AllegationView; item: AssistanceView; onSaved(a: AssistanceView): void }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<Status>(item.status === 'referred' ? 'in_progress' : 'completed');
  const [on, setOn] = useState(today());
  const [error, setError] = useState<string | null>(null);
  const needsDate = closed(status);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      onSaved(await api.updateConductAssistance(view.id, item.id, { status, completed_on: needsDate ? on : null }));
    } catch (err) { setError(errorText(t, err)); }
  }
  const label = `${t(`conduct.assistanceKinds.${item.kind}`)} · ${item.victim_ref}`;
  return (
    <form className="conduct-inline" onSubmit={submit} noValidate aria-label={t('conduct.updateAssistanceOf', { what: label })}>
      <Field label={t('conduct.newStatus')}>
        <select name={`assistance-${item.id}-status`} value={status} onChange={(e) => setStatus(e.target.value as Status)}>
          {ASSISTANCE_STATUSES.filter((s) => s !== item.status && s !== 'referred').map((s) => <option key={s} value={s}>{t(`conduct.assistanceStatuses.${s}`)}</option>)}
        </select>
      </Field>
      {needsDate && (
        <Field label={t('conduct.completedOn')}>
          <input type="date" name={`assistance-${item.id}-completed_on`} dir="ltr" min={item.referred_on} max={today()} value={on} onChange={(e) => setOn(e.target.value)} />
        </Field>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      <button type="submit" disabled={needsDate && !on}>{t('conduct.updateAssistance')}</button>
    </form>
  );
}

function AddAssistance({ view, onAdded }: { view: AllegationView; onAdded(a: AssistanceView): void }) {
  const { t } = useTranslation();
  const [victim, setVictim] = useState(view.victims[0]?.ref ?? '');
  const [kind, setKind] = useState<(typeof ASSISTANCE_KINDS)[number]>('medical');
  const [on, setOn] = useState(today());
  const [errors, setErrors] = useState<Record<string, string>>({});
  async function submit(e: FormEvent) {
    e.preventDefault();
    setErrors({});
    try {
      onAdded(await api.addConductAssistance(view.id, { victim_ref: victim, kind, referred_on: on }));
    } catch (err) {
      setErrors({ [err instanceof ApiError && err.field ? err.field : '_']: errorText(t, err) });
    }
  }
  return (
    <form onSubmit={submit} noValidate aria-labelledby="conduct-add-assistance">
      <h3 id="conduct-add-assistance" className="h3">{t('conduct.addAssistance')}</h3>
      {errors._ && <Notice kind="error">{errors._}</Notice>}
      <div className="details-grid">
        <Field label={t('conduct.assistanceVictim')} error={errors.victim_ref}>
          <select name="assistance-victim" value={victim} onChange={(e) => setVictim(e.target.value)}>
            {view.victims.map((v) => <option key={v.ref} value={v.ref}>{v.ref}</option>)}
          </select>
        </Field>
        <Field label={t('conduct.assistanceKind')}>
          <select name="assistance-kind" value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
            {ASSISTANCE_KINDS.map((k) => <option key={k} value={k}>{t(`conduct.assistanceKinds.${k}`)}</option>)}
          </select>
        </Field>
        <Field label={t('conduct.assistanceReferredOn')} error={errors.referred_on}>
          <input type="date" name="assistance-referred_on" dir="ltr" min={view.received_on} max={today()} value={on} onChange={(e) => setOn(e.target.value)} />
        </Field>
      </div>
      <button type="submit" disabled={!on || !victim}>{t('conduct.addAssistance')}</button>
    </form>
  );
}
