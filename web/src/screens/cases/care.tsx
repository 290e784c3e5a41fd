import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { Field } from '../../components/field.tsx';
import { formatDate, formatNumber } from '../../i18n/index.ts';
import { Link } from '../../router.ts';
import { ALTERNATIVE_CARE, CARE_TYPES, COMPONENT_STATUSES, COMPONENT_TYPES, NOT_SEEN_REASONS } from '../../../../src/modules/cases/care-schema.ts';
import { Badge, FormErrors, label, Loading, today, useLoad, useSubmit } from './common.tsx';
import type { CareView, CaseAlerts, CaseView, ComponentView, VisitView } from './types.ts';

/**
 * Interim care, the reintegration plan, reunification and the follow-up visits of one case. The server
 * allows them to whoever handles the case while it is open; a closed case shows them read-only.
 */
export function CareSections({ view, alerts, onSaved }: { view: CaseView; alerts: CaseAlerts['items']; onSaved(message: string): void }) {
  const { t } = useTranslation();
  const care = useLoad(() => api.caseCare(view.id), [view.id]);
  if (!care.data) return <section className="card"><h2>{t('cases.interimCareTitle')}</h2><Loading error={care.error} /></section>;
  const editable = view.status === 'open' && view.permitted_actions.includes('update');
  const done = (message: string) => { care.reload(); onSaved(message); };
  return (
    <>
      <InterimCare view={view} care={care.data} editable={editable} onSaved={done} alerts={alerts} />
      <Reintegration view={view} care={care.data} editable={editable} onSaved={done} />
      <Reunification view={view} care={care.data} editable={editable} onSaved={done} />
      <FollowUps view={view} care={care.data} editable={editable} onSaved={done} />
    </>
  );
}

interface Props { view: CaseView; care: CareView; editable: boolean; onSaved(message: string): void }

function InterimCare({ view, care, editable, onSaved, alerts }: Props & { alerts: CaseAlerts['items'] }) {
  const { t } = useTranslation();
  // The length-of-stay thresholds are the server's settings: its alert names the one reached.
  const stayAlert = (id: string) => alerts.find((a) => a.kind === 'interim_care_stay' && a.details.placement_id === id);
  const current = care.placements.find((p) => p.left_on === null);
  const [type, setType] = useState<(typeof CARE_TYPES)[number]>('interim_care_centre');
  const [place, setPlace] = useState('');
  const [on, setOn] = useState(today());
  const [reason, setReason] = useState('');
  const { busy, errors, run } = useSubmit();
  async function admit(e: FormEvent) {
    e.preventDefault();
    if (await run(() => api.admitToInterimCare(view.id, { care_type: type, place, admitted_on: on }))) onSaved(t('cases.placementSaved'));
  }
  async function leave(e: FormEvent) {
    e.preventDefault();
    if (current && await run(() => api.endInterimCare(view.id, current.id, { left_on: on, left_reason: reason }))) onSaved(t('cases.placementEnded'));
  }
  return (
    <section className="card" aria-labelledby="case-interim">
      <h2 id="case-interim">{t('cases.interimCareTitle')}</h2>
      {care.placements.length === 0 ? <p>{t('cases.noPlacement')}</p> : (
        <ul>
          {care.placements.map((p) => (
            <li key={p.id}>
              {label('care', p.care_type)}{p.place && ` · ${p.place}`} · {t('cases.admittedOn', { date: formatDate(p.admitted_on) })}
              {p.left_on ? ` · ${t('cases.leftOn', { date: formatDate(p.left_on), reason: p.left_reason })}` : ''}
              {' · '}{t('cases.weeksStayed', { n: formatNumber(p.weeks) })}
              {p.left_on === null && stayAlert(p.id) && <Badge>{t('cases.longStay', { n: formatNumber(Number(stayAlert(p.id)!.details.threshold_weeks)) })}</Badge>}
            </li>
          ))}
        </ul>
      )}
      {editable && (current ? (
        <form onSubmit={leave} noValidate aria-labelledby="end-placement">
          <h3 id="end-placement" className="h3">{t('cases.endPlacement')}</h3>
          <FormErrors errors={errors} fields={['left_on', 'left_reason']} />
          <div className="details-grid">
            <Field label={t('cases.leftOnLabel')} error={errors.left_on}><input type="date" name="left_on" dir="ltr" max={today()} value={on} onChange={(e) => setOn(e.target.value)} /></Field>
            <Field label={`${t('cases.leftReason')} *`} error={errors.left_reason}><input name="left_reason" value={reason} onChange={(e) => setReason(e.target.value)} /></Field>
          </div>
          <button type="submit" disabled={busy || !reason.trim()}>{t('cases.endPlacement')}</button>
        </form>
      ) : (
        <form onSubmit={admit} noValidate aria-labelledby="admit-placement">
          <h3 id="admit-placement" className="h3">{t('cases.admit')}</h3>
          <FormErrors errors={errors} fields={['care_type', 'place', 'admitted_on']} />
          <div className="details-grid">
            <Field label={t('cases.careType')} error={errors.care_type}>
              <select name="care_type" value={type} onChange={(e) => setType(e.target.value as typeof type)}>
                {CARE_TYPES.map((c) => <option key={c} value={c}>{label('care', c)}</option>)}
              </select>
            </Field>
            <Field label={t('cases.place')} error={errors.place}><input name="care_place" value={place} onChange={(e) => setPlace(e.target.value)} /></Field>
            <Field label={t('cases.admittedOnLabel')} error={errors.admitted_on}><input type="date" name="admitted_on" dir="ltr" max={today()} value={on} onChange={(e) => setOn(e.target.value)} /></Field>
          </div>
          <button type="submit" disabled={busy}>{t('cases.admit')}</button>
        </form>
      ))}
    </section>
  );
}

function Reintegration({ view, care, editable, onSaved }: Props) {
  const { t } = useTranslation();
  const [type, setType] = useState<(typeof COMPONENT_TYPES)[number]>('health');
  const [provider, setProvider] = useState('');
  const [start, setStart] = useState(today());
  const { busy, errors, run } = useSubmit();
  async function add(e: FormEvent) {
    e.preventDefault();
    if (await run(() => api.addReintegrationComponent(view.id, { component_type: type, provider, start_on: start }))) { setProvider(''); onSaved(t('cases.componentSaved')); }
  }
  const used = new Set(care.components.map((c) => c.component_type));
  return (
    <section className="card" aria-labelledby="case-reintegration">
      <h2 id="case-reintegration">{t('cases.reintegrationTitle')}</h2>
      <p className="hint">{t('cases.componentsCovered', { n: formatNumber(used.size), total: formatNumber(COMPONENT_TYPES.length) })}</p>
      {care.components.length === 0 ? <p>{t('cases.noComponents')}</p> : (
        <div className="table-scroll">
          <table className="data-table">
            <thead><tr>
              <th scope="col">{t('cases.component')}</th><th scope="col">{t('cases.provider')}</th><th scope="col">{t('cases.dates')}</th>
              <th scope="col">{t('cases.componentStatus')}</th><th scope="col">{t('cases.outcome')}</th>
            </tr></thead>
            <tbody>
              {care.components.map((c) => (
                <tr key={c.id}>
                  <th scope="row">{label('componentType', c.component_type)}</th>
                  <td>{c.provider}</td>
                  <td>{formatDate(c.start_on)}{c.end_on && ` – ${formatDate(c.end_on)}`}</td>
                  <td>{label('componentState', c.status)}{editable && c.status !== 'completed' && c.status !== 'discontinued' && <ComponentUpdate view={view} c={c} onSaved={onSaved} />}</td>
                  <td>{c.outcome || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editable && (
        <form onSubmit={add} noValidate aria-labelledby="add-component">
          <h3 id="add-component" className="h3">{t('cases.addComponent')}</h3>
          <FormErrors errors={errors} fields={['component_type', 'provider', 'start_on']} />
          <div className="details-grid">
            <Field label={t('cases.component')} error={errors.component_type}>
              <select name="component_type" value={type} onChange={(e) => setType(e.target.value as typeof type)}>
                {COMPONENT_TYPES.map((c) => <option key={c} value={c}>{label('componentType', c)}</option>)}
              </select>
            </Field>
            <Field label={`${t('cases.provider')} *`} error={errors.provider}><input name="provider" value={provider} onChange={(e) => setProvider(e.target.value)} /></Field>
            <Field label={t('cases.startOn')} error={errors.start_on}><input type="date" name="start_on" dir="ltr" value={start} onChange={(e) => setStart(e.target.value)} /></Field>
          </div>
          <button type="submit" disabled={busy || !provider.trim()}>{t('cases.addComponent')}</button>
        </form>
      )}
    </section>
  );
}

function ComponentUpdate({ view, c, onSaved }: { view: CaseView; c: ComponentView; onSaved(message: string): void }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<(typeof COMPONENT_STATUSES)[number]>(c.status === 'planned' ? 'ongoing' : 'completed');
  const [end, setEnd] = useState(today());
  const [outcome, setOutcome] = useState(c.outcome);
  const { busy, errors, run } = useSubmit();
  const ends = status === 'completed' || status === 'discontinued';
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (await run(() => api.updateReintegrationComponent(view.id, c.id, { version: c.version, status, outcome, ...(ends && { end_on: end }) }))) onSaved(t('cases.componentSaved'));
  }
  return (
    <form className="conduct-inline" onSubmit={submit} noValidate aria-label={t('cases.updateComponentOf', { what: label('componentType', c.component_type) })}>
      <FormErrors errors={errors} fields={['status', 'end_on']} />
      <Field label={t('cases.componentStatus')}>
        <select value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
          {COMPONENT_STATUSES.filter((s) => s !== c.status && s !== 'planned').map((s) => <option key={s} value={s}>{label('componentState', s)}</option>)}
        </select>
      </Field>
      {ends && <Field label={t('cases.endOn')} error={errors.end_on}><input type="date" dir="ltr" min={c.start_on} value={end} onChange={(e) => setEnd(e.target.value)} /></Field>}
      <Field label={t('cases.outcome')}><input value={outcome} onChange={(e) => setOutcome(e.target.value)} /></Field>
      <button type="submit" disabled={busy}>{t('cases.update')}</button>
    </form>
  );
}

/** A reunification is recorded from its confirmed tracing match (tracing screen); an alternative care arrangement here. */
function Reunification({ view, care, editable, onSaved }: Props) {
  const { t } = useTranslation();
  const r = care.reunification;
  const [type, setType] = useState<(typeof ALTERNATIVE_CARE)[number]>('kinship');
  const [on, setOn] = useState(today());
  const [note, setNote] = useState('');
  const { busy, errors, run } = useSubmit();
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (await run(() => api.recordReunification(view.id, { outcome: 'alternative_care', care_type: type, verification_note: note, on_date: on }))) onSaved(t('cases.alternativeCareSaved'));
  }
  return (
    <section className="card" aria-labelledby="case-reunification">
      <h2 id="case-reunification">{t('cases.reunificationTitle')}</h2>
      {r ? (
        <p>
          {label('outcomeKind', r.outcome)} · {formatDate(r.on_date)}
          {r.verification && ` · ${label('verificationMeans', r.verification)}`}{r.care_type && ` · ${label('altCare', r.care_type)}`}{r.verification_note && ` · ${r.verification_note}`}
        </p>
      ) : (
        <>
          <p>{t('cases.noReunification')} <Link to="/tracing">{t('cases.tracingTitle')}</Link></p>
          {editable && (
            <details className="case-form">
              <summary>{t('cases.recordAlternativeCare')}</summary>
              <form onSubmit={submit} noValidate>
                <FormErrors errors={errors} fields={['care_type', 'on_date']} />
                <div className="details-grid">
                  <Field label={t('cases.altCareType')} error={errors.care_type}>
                    <select value={type} onChange={(e) => setType(e.target.value as typeof type)}>
                      {ALTERNATIVE_CARE.map((c) => <option key={c} value={c}>{label('altCare', c)}</option>)}
                    </select>
                  </Field>
                  <Field label={t('cases.onDate')} error={errors.on_date}><input type="date" dir="ltr" max={today()} value={on} onChange={(e) => setOn(e.target.value)} /></Field>
                  <Field label={t('cases.note')}><input value={note} onChange={(e) => setNote(e.target.value)} /></Field>
                </div>
                <button type="submit" disabled={busy}>{t('cases.recordAlternativeCare')}</button>
              </form>
            </details>
          )}
        </>
      )}
    </section>
  );
}

function FollowUps({ view, care, editable, onSaved }: Props) {
  const { t } = useTranslation();
  const next = care.followups.find((v) => v.visited_on === null);
  return (
    <section className="card" aria-labelledby="case-followups">
      <h2 id="case-followups">{t('cases.followUpsTitle')}</h2>
      {care.followups.length === 0 ? <p>{t('cases.noFollowUps')}</p> : (
        <div className="table-scroll">
          <table className="data-table">
            <thead><tr>
              <th scope="col">{t('cases.visitN')}</th><th scope="col">{t('cases.dueOn')}</th><th scope="col">{t('cases.visitedOn')}</th><th scope="col">{t('cases.visitResult')}</th>
            </tr></thead>
            <tbody>
              {care.followups.map((v) => (
                <tr key={v.id}>
                  <th scope="row">{t('cases.visitNumber', { n: formatNumber(v.sequence) })}</th>
                  <td>{formatDate(v.due_on)}{v.overdue && <Badge>{t('cases.overdue')}</Badge>}</td>
                  <td>{v.visited_on ? <>{formatDate(v.visited_on)}{v.on_time === false && <Badge>{t('cases.late')}</Badge>}</> : '—'}</td>
                  <td>{v.visited_on ? <>{v.child_seen ? t('cases.childSeen') : `${t('cases.childNotSeen')} · ${label('notSeen', v.not_seen_reason ?? 'other')}`}{v.actions_taken && ` · ${v.actions_taken}`}{v.recommend_closure && ` · ${t('cases.recommendsClosure')}`}</> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editable && next && <VisitForm key={next.id} view={view} visit={next} onSaved={onSaved} />}
    </section>
  );
}

function VisitForm({ view, visit, onSaved }: { view: CaseView; visit: VisitView; onSaved(message: string): void }) {
  const { t } = useTranslation();
  const [on, setOn] = useState(today());
  const [seen, setSeen] = useState(true);
  const [reason, setReason] = useState<(typeof NOT_SEEN_REASONS)[number]>('at_school');
  const [actions, setActions] = useState('');
  const [further, setFurther] = useState(false);
  const [nextDue, setNextDue] = useState('');
  const [closure, setClosure] = useState(false);
  const { busy, errors, run } = useSubmit();
  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = { visited_on: on, child_seen: seen, actions_taken: actions, further_visit_needed: further, recommend_closure: closure,
      ...(!seen && { not_seen_reason: reason }), ...(further && nextDue && { next_due_on: nextDue }) };
    if (await run(() => api.recordFollowUpVisit(view.id, visit.id, body))) onSaved(t('cases.visitSaved'));
  }
  return (
    <form onSubmit={submit} noValidate aria-labelledby="visit-title">
      <h3 id="visit-title" className="h3">{t('cases.recordVisit', { n: formatNumber(visit.sequence), due: formatDate(visit.due_on) })}</h3>
      <FormErrors errors={errors} fields={['visited_on', 'not_seen_reason', 'next_due_on']} />
      <div className="details-grid">
        <Field label={t('cases.visitedOn')} error={errors.visited_on}><input type="date" name="visited_on" dir="ltr" max={today()} value={on} onChange={(e) => setOn(e.target.value)} /></Field>
        <Field label={t('cases.actionsTaken')}><input name="actions_taken" value={actions} onChange={(e) => setActions(e.target.value)} /></Field>
      </div>
      <label className="choice"><input type="checkbox" name="child_seen" checked={seen} onChange={(e) => setSeen(e.target.checked)} /> {t('cases.childSeen')}</label>
      {!seen && (
        <Field label={t('cases.notSeenReason')} error={errors.not_seen_reason}>
          <select name="not_seen_reason" value={reason} onChange={(e) => setReason(e.target.value as typeof reason)}>
            {NOT_SEEN_REASONS.map((r) => <option key={r} value={r}>{label('notSeen', r)}</option>)}
          </select>
        </Field>
      )}
      <label className="choice"><input type="checkbox" name="further_visit" checked={further} onChange={(e) => setFurther(e.target.checked)} /> {t('cases.furtherVisit')}</label>
      {further && <Field label={t('cases.nextDueOn')} error={errors.next_due_on}><input type="date" name="next_due_on" dir="ltr" min={on} value={nextDue} onChange={(e) => setNextDue(e.target.value)} /></Field>}
      <label className="choice"><input type="checkbox" name="recommend_closure" checked={closure} onChange={(e) => setClosure(e.target.checked)} /> {t('cases.recommendsClosure')}</label>
      <button type="submit" disabled={busy}>{t('cases.saveVisit')}</button>
    </form>
  );
}
