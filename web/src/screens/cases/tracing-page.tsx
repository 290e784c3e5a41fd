import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { Field, Notice, errorText } from '../../components/field.tsx';
import { formatDate, formatDateTime, formatNumber } from '../../i18n/index.ts';
import { Link } from '../../router.ts';
import { VERIFICATIONS } from '../../../../src/modules/cases/care-schema.ts';
import { caseRef, FormErrors, label, Loading, today, useLoad, useSubmit } from './common.tsx';
import type { MatchView, TracingRequestView } from './types.ts';

/** How the identity engine weighed each field: shown so the person deciding sees why, never the other child's identity. */
function Explanation({ explanation }: { explanation: Record<string, unknown> }) {
  const { t } = useTranslation();
  const fields = explanation.fields;
  if (Array.isArray(fields)) {
    return (
      <ul className="match-explanation">
        {(fields as { comparison?: string; level?: string; bits?: number }[]).map((f, i) => (
          <li key={i}>{label('comparison', String(f.comparison))}: {label('level', String(f.level))}{typeof f.bits === 'number' && ` (${t('cases.bits', { n: formatNumber(f.bits) })})`}</li>
        ))}
      </ul>
    );
  }
  const entries = Object.entries(fields && typeof fields === 'object' ? fields as Record<string, unknown> : explanation);
  return <ul className="match-explanation">{entries.map(([k, v]) => <li key={k}>{label('comparison', k)}: {label('level', String(v))}</li>)}</ul>;
}

/** One tracing request: its steps, candidates from the identity engine, a person's decision, and the reunification. */
export function TracingPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const loaded = useLoad(() => api.tracingRequest(id), [id]);
  const [message, setMessage] = useState<string | null>(null);
  const [sought, setSought] = useState<TracingRequestView['sought'] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [ran, setRan] = useState<{ compared: number; without: number } | null>(null);
  const { busy, run } = useSubmit();
  if (!loaded.data) return <><h1 tabIndex={-1}>{t('cases.tracingTitle')}</h1><Loading error={loaded.error} /></>;
  const r = loaded.data;
  const may = (a: string) => r.permitted_actions.includes(a);
  const done = (text: string) => { setMessage(text); setError(null); loaded.reload(); };

  async function findCandidates() {
    setError(null);
    try {
      const found = await api.runTracingMatch(id);
      setRan({ compared: found.children_compared, without: found.children_without_tracing_consent });
      done(t('cases.candidatesFound', { n: formatNumber(found.items.length) }));
    } catch (err) { setError(err); }
  }
  async function startTracing() {
    if (await run(() => api.tracingStep(id, { version: r.version, action: 'start_tracing' }))) done(t('cases.tracingStarted'));
  }
  async function showSought() {
    try { setSought((await api.tracingRequest(id, 'identity')).sought ?? null); } catch (err) { setError(err); }
  }
  const matches = r.matches ?? [];

  return (
    <article className="cases record">
      <p><Link to="/tracing">{t('cases.backToTracing')}</Link></p>
      <h1 tabIndex={-1}>{t('cases.requestTitle', { ref: caseRef(r.id) })}</h1>
      {message && <Notice kind="success">{message}</Notice>}
      {error != null && <Notice kind="error">{errorText(t, error)}</Notice>}
      <dl className="facts card">
        <div><dt>{t('cases.statusLabel')}</dt><dd>{label('tracing', r.status)}</dd></div>
        <div><dt>{t('cases.sexLabel')}</dt><dd>{label('sex', r.sex)}</dd></div>
        <div><dt>{t('cases.separatedOn')}</dt><dd>{r.separated_on ? formatDate(r.separated_on) : '—'}</dd></div>
        <div><dt>{t('cases.requestedOn')}</dt><dd>{formatDateTime(r.created_at)}</dd></div>
      </dl>

      {may('read_identity') && (
        <section className="card" aria-labelledby="tracing-sought">
          <h2 id="tracing-sought">{t('cases.soughtTitle')}</h2>
          {sought === null ? (
            <p><button type="button" onClick={() => void showSought()}>{t('cases.showSought')}</button> <span className="hint">{t('cases.auditedHint')}</span></p>
          ) : sought ? (
            <dl className="facts">
              <div><dt>{t('cases.soughtName')}</dt><dd>{sought.child_name}</dd></div>
              <div><dt>{t('cases.fatherName')}</dt><dd>{sought.father_name || '—'}</dd></div>
              <div><dt>{t('cases.motherName')}</dt><dd>{sought.mother_name || '—'}</dd></div>
              <div><dt>{t('cases.requesterName')}</dt><dd>{sought.requester_name} · {sought.requester_relationship}</dd></div>
            </dl>
          ) : <p>{t('cases.identityGone')}</p>}
        </section>
      )}

      <section className="card" aria-labelledby="tracing-matches">
        <h2 id="tracing-matches">{t('cases.candidatesTitle')}</h2>
        <div className="button-row">
          {may('start_tracing') && <button type="button" disabled={busy} onClick={() => void startTracing()}>{t('cases.startTracing')}</button>}
          {may('propose_match') && <button type="button" className="primary" onClick={() => void findCandidates()}>{t('cases.findCandidates')}</button>}
        </div>
        {ran && <p role="status">{t('cases.compared', { n: formatNumber(ran.compared), without: formatNumber(ran.without) })}</p>}
        {matches.length === 0 ? <p>{t('cases.noCandidates')}</p> : (
          <ul className="match-list">
            {matches.map((m) => <MatchItem key={m.id} request={r} m={m} onDone={done} />)}
          </ul>
        )}
      </section>

      {r.steps && r.steps.length > 0 && (
        <section className="card" aria-labelledby="tracing-steps">
          <h2 id="tracing-steps">{t('cases.historyTitle')}</h2>
          <ul>{r.steps.map((s, i) => <li key={i}>{formatDateTime(s.at)} · {label('tracingAction', s.action)} → {label('tracing', s.to_status)}{s.note && ` · ${s.note}`}</li>)}</ul>
        </section>
      )}
    </article>
  );
}

function MatchItem({ request, m, onDone }: { request: TracingRequestView; m: MatchView; onDone(text: string): void }) {
  const { t } = useTranslation();
  const [note, setNote] = useState('');
  const { busy, errors, setErrors, run } = useSubmit();
  const open = request.status === 'open' || request.status === 'tracing_in_progress';
  async function decide(decision: 'confirmed' | 'rejected') {
    if (!note.trim()) { setErrors({ note: t('cases.decisionNoteRule') }); return; }
    if (await run(() => api.decideTracingMatch(request.id, m.id, { decision, note }))) onDone(decision === 'confirmed' ? t('cases.matchConfirmed') : t('cases.matchRejected'));
  }
  const pct = formatNumber(Math.round(m.probability * 1000) / 10);
  return (
    <li className="card">
      <p>
        <strong>{t('cases.candidate', { ref: caseRef(m.case_id), pct })}</strong> · {label('match', m.status)}
        {m.decision_note && ` · ${m.decision_note}`}
      </p>
      <Explanation explanation={m.explanation} />
      {m.status === 'candidate' && open && (
        <div className="case-move" role="group" aria-label={t('cases.decideOn', { ref: caseRef(m.case_id) })}>
          <Field label={`${t('cases.decisionNote')} *`} error={errors.note ?? errors._}>
            <input name={`match-${m.id}-note`} value={note} onChange={(e) => setNote(e.target.value)} />
          </Field>
          <div className="button-row">
            <button type="button" className="primary" disabled={busy} onClick={() => void decide('confirmed')}>{t('cases.confirmMatch')}</button>
            <button type="button" disabled={busy} onClick={() => void decide('rejected')}>{t('cases.rejectMatch')}</button>
          </div>
        </div>
      )}
      {m.status === 'confirmed' && request.status === 'verified' && <ReunifyForm m={m} onDone={onDone} />}
    </li>
  );
}

/** Offered only when the matched child's case is one this person holds: the server would refuse anyone else. */
function ReunifyForm({ m, onDone }: { m: MatchView; onDone(text: string): void }) {
  const { t } = useTranslation();
  const holder = useLoad(() => api.getCase(m.case_id).catch(() => null), [m.case_id]);
  const [verification, setVerification] = useState<(typeof VERIFICATIONS)[number]>('mutual_recognition');
  const [on, setOn] = useState(today());
  const [note, setNote] = useState('');
  const { busy, errors, run } = useSubmit();
  if (!holder.data || holder.data.status !== 'open' || !holder.data.permitted_actions.includes('update')) return null;
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (await run(() => api.recordReunification(m.case_id, { outcome: 'reunified', match_id: m.id, verification, verification_note: note, on_date: on }))) onDone(t('cases.reunified'));
  }
  return (
    <form onSubmit={submit} noValidate aria-labelledby={`reunify-${m.id}`}>
      <h3 id={`reunify-${m.id}`} className="h3">{t('cases.recordReunification')}</h3>
      <FormErrors errors={errors} fields={['verification', 'on_date']} />
      <div className="details-grid">
        <Field label={t('cases.verification')} error={errors.verification}>
          <select name="verification" value={verification} onChange={(e) => setVerification(e.target.value as typeof verification)}>
            {VERIFICATIONS.map((v) => <option key={v} value={v}>{label('verificationMeans', v)}</option>)}
          </select>
        </Field>
        <Field label={t('cases.onDate')} error={errors.on_date}><input type="date" name="on_date" dir="ltr" max={today()} value={on} onChange={(e) => setOn(e.target.value)} /></Field>
        <Field label={t('cases.note')}><input name="verification_note" value={note} onChange={(e) => setNote(e.target.value)} /></Field>
      </div>
      <button type="submit" className="primary" disabled={busy}>{t('cases.recordReunification')}</button>
      <p><Link to={`/cases/${m.case_id}`}>{t('cases.openCase', { ref: caseRef(m.case_id) })}</Link></p>
    </form>
  );
}
