import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { Field } from '../../components/field.tsx';
import { formatDate } from '../../i18n/index.ts';
import { BIA_PRIORITIES, PANEL_ROLES } from '../../../../src/modules/cases/care-schema.ts';
import { FormErrors, label, today, useLoad, useSubmit } from './common.tsx';
import type { BestInterestsInput, CaseView } from './types.ts';

/** Best-interests assessments (BIA) by whoever handles the case; determinations (BID) by a supervisor, with the panel's roles. */
export function BestInterestsSection({ view, onSaved }: { view: CaseView; onSaved(message: string): void }) {
  const { t } = useTranslation();
  const care = useLoad(() => api.caseCare(view.id), [view.id, view.version]);
  const editable = view.status === 'open' && view.permitted_actions.includes('update');
  // 'assign' is a supervisor's of the case's agency: the same test the server makes for a BID.
  const supervisor = view.permitted_actions.includes('assign');
  const [kind, setKind] = useState<'bia' | 'bid'>('bia');
  const items = care.data?.best_interests ?? [];
  return (
    <section className="card" aria-labelledby="case-bia">
      <h2 id="case-bia">{t('cases.biaTitle')}</h2>
      {items.length === 0 ? <p>{t('cases.noBia')}</p> : (
        <ul>
          {items.map((b) => (
            <li key={b.id}>
              <strong>{label('biaKind', b.kind)}</strong> · {formatDate(b.done_on)} · {b.done_by}
              {b.kind === 'bia' ? ` · ${b.recommendation}` : ` · ${b.decision} (${b.panel_members.map((m) => label('panelRole', m)).join(', ')})`}
              {b.review_on && ` · ${t('cases.reviewOn', { date: formatDate(b.review_on) })}`}
            </li>
          ))}
        </ul>
      )}
      {editable && (
        <details className="case-form">
          <summary>{t('cases.recordBia')}</summary>
          {supervisor && (
            <Field label={t('cases.biaKindLabel')}>
              <select value={kind} onChange={(e) => setKind(e.target.value as 'bia' | 'bid')}>
                <option value="bia">{label('biaKind', 'bia')}</option>
                <option value="bid">{label('biaKind', 'bid')}</option>
              </select>
            </Field>
          )}
          <BiaForm key={kind} view={view} kind={supervisor ? kind : 'bia'} onSaved={() => { care.reload(); onSaved(t('cases.biaSaved')); }} />
        </details>
      )}
    </section>
  );
}

function BiaForm({ view, kind, onSaved }: { view: CaseView; kind: 'bia' | 'bid'; onSaved(): void }) {
  const { t } = useTranslation();
  const [doneOn, setDoneOn] = useState(today());
  const [doneBy, setDoneBy] = useState('');
  const [priority, setPriority] = useState<(typeof BIA_PRIORITIES)[number]>('1_week');
  const [text, setText] = useState('');
  const [childViews, setChildViews] = useState('');
  const [reasoning, setReasoning] = useState('');
  const [review, setReview] = useState('');
  const [panel, setPanel] = useState<string[]>(['chair', 'case_worker']);
  const [bidRequired, setBidRequired] = useState(false);
  const { busy, errors, run } = useSubmit();
  async function submit(e: FormEvent) {
    e.preventDefault();
    const body: BestInterestsInput = kind === 'bia'
      ? { kind, done_on: doneOn, done_by: doneBy, priority, recommendation: text, child_views: childViews, bid_required: bidRequired, ...(review && { review_on: review }) }
      : { kind, done_on: doneOn, done_by: doneBy, panel_members: panel as (typeof PANEL_ROLES)[number][], child_views: childViews, decision: text, reasoning, review_on: review };
    if (await run(() => api.recordBestInterests(view.id, body))) onSaved();
  }
  const toggle = (r: string) => setPanel((xs) => (xs.includes(r) ? xs.filter((x) => x !== r) : [...xs, r]));
  return (
    <form onSubmit={submit} noValidate>
      <FormErrors errors={errors} fields={['done_on', 'done_by', 'recommendation', 'decision', 'reasoning', 'child_views', 'review_on', 'panel_members']} />
      <div className="details-grid">
        <Field label={t('cases.doneOn')} error={errors.done_on}><input type="date" dir="ltr" max={today()} value={doneOn} onChange={(e) => setDoneOn(e.target.value)} /></Field>
        <Field label={`${t('cases.doneBy')} *`} error={errors.done_by}><input value={doneBy} onChange={(e) => setDoneBy(e.target.value)} /></Field>
        {kind === 'bia' && (
          <Field label={t('cases.biaPriority')}>
            <select value={priority} onChange={(e) => setPriority(e.target.value as typeof priority)}>
              {BIA_PRIORITIES.map((p) => <option key={p} value={p}>{label('priority', p)}</option>)}
            </select>
          </Field>
        )}
        <Field label={`${t('cases.reviewOnLabel')}${kind === 'bid' ? ' *' : ''}`} error={errors.review_on}><input type="date" dir="ltr" value={review} onChange={(e) => setReview(e.target.value)} /></Field>
      </div>
      <Field label={`${kind === 'bia' ? t('cases.recommendation') : t('cases.decision')} *`} error={errors[kind === 'bia' ? 'recommendation' : 'decision']}>
        <textarea rows={2} value={text} onChange={(e) => setText(e.target.value)} />
      </Field>
      <Field label={`${t('cases.childViews')}${kind === 'bid' ? ' *' : ''}`} error={errors.child_views}><textarea rows={2} value={childViews} onChange={(e) => setChildViews(e.target.value)} /></Field>
      {kind === 'bia' && <label className="choice"><input type="checkbox" checked={bidRequired} onChange={(e) => setBidRequired(e.target.checked)} /> {t('cases.bidRequired')}</label>}
      {kind === 'bid' && (
        <>
          <Field label={`${t('cases.reasoning')} *`} error={errors.reasoning}><textarea rows={3} value={reasoning} onChange={(e) => setReasoning(e.target.value)} /></Field>
          <fieldset>
            <legend>{t('cases.panel')}</legend>
            {errors.panel_members && <p className="error" role="alert">{errors.panel_members}</p>}
            <div className="choices">
              {PANEL_ROLES.map((r) => <label key={r} className="choice"><input type="checkbox" checked={panel.includes(r)} onChange={() => toggle(r)} /> {label('panelRole', r)}</label>)}
            </div>
          </fieldset>
        </>
      )}
      <button type="submit" disabled={busy}>{t('cases.saveBia')}</button>
    </form>
  );
}
