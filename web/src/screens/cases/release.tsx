import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { Field } from '../../components/field.tsx';
import { formatDate, formatDateTime } from '../../i18n/index.ts';
import { EXIT_MODES, HANDOVER_ACTORS } from '../../../../src/modules/cases/schema.ts';
import { Badge, FormErrors, label, localNow, timeLeft, toInstant, today, useSubmit } from './common.tsx';
import type { CaseView, ReleaseInput } from './types.ts';

type ExitMode = (typeof EXIT_MODES)[number];
type Actor = (typeof HANDOVER_ACTORS)[number];

/** Encounter or separation from an armed force or group, and the handover to civilian actors against the protocol's clock. */
export function ReleaseSection({ view, alertKinds, onSaved }: { view: CaseView; alertKinds: string[]; onSaved(v: CaseView): void }) {
  const { t } = useTranslation();
  const r = view.release;
  const may = view.permitted_actions.includes('record_release') && view.status === 'open';
  if (!r && !may) return null;
  return (
    <section className="card" aria-labelledby="case-release">
      <h2 id="case-release">{t('cases.releaseTitle')}</h2>
      {!r ? <><p>{t('cases.noRelease')}</p><EncounterForm view={view} onSaved={onSaved} /></> : (
        <>
          <dl className="facts">
            <div><dt>{t('cases.encounteredAt')}</dt><dd>{formatDateTime(r.encountered_at)}</dd></div>
            <div><dt>{t('cases.exitMode')}</dt><dd>{label('exit', r.exit_mode)}</dd></div>
            <div><dt>{t('cases.place')}</dt><dd>{r.place || r.place_pcode || '—'}</dd></div>
            <div><dt>{t('cases.encounteredBy')}</dt><dd>{r.encountered_by}</dd></div>
            <div><dt>{t('cases.handoverDue')}</dt><dd>{formatDateTime(r.handover_due_at)}</dd></div>
            {r.handed_over_at && <div><dt>{t('cases.handedOver')}</dt><dd>{formatDateTime(r.handed_over_at)} · {label('actor', r.handed_over_to ?? '')}</dd></div>}
          </dl>
          {!r.handed_over_at && <HandoverTimer due={r.handover_due_at} alertKinds={alertKinds} />}
          {!r.handed_over_at && may && <HandoverForm view={view} onSaved={onSaved} />}
          <ReRecruitment view={view} alertKinds={alertKinds} onSaved={onSaved} />
        </>
      )}
    </section>
  );
}

/** Counts down each half-minute; due soon and overdue are said in words (the server's alerts decide them). */
function HandoverTimer({ due, alertKinds }: { due: string; alertKinds: string[] }) {
  const { t } = useTranslation();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 30_000);
    return () => window.clearInterval(timer);
  }, []);
  const overdue = Date.parse(due) < now || alertKinds.includes('handover_overdue');
  return (
    <p className="case-timer" role="timer" aria-live="off">
      <strong>{t('cases.handoverTimer')}</strong> {timeLeft(t, due, now)}
      {overdue ? <Badge>{label('alert', 'handover_overdue')}</Badge> : alertKinds.includes('handover_due_soon') && <Badge>{label('alert', 'handover_due_soon')}</Badge>}
    </p>
  );
}

function EncounterForm({ view, onSaved }: { view: CaseView; onSaved(v: CaseView): void }) {
  const { t } = useTranslation();
  const [at, setAt] = useState(localNow());
  const [exit, setExit] = useState<ExitMode>('escaped');
  const [place, setPlace] = useState('');
  const [by, setBy] = useState('');
  const { busy, errors, setErrors, run } = useSubmit();
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!by.trim()) { setErrors({ encountered_by: t('errors.required') }); return; }
    const body: ReleaseInput = { encountered_at: toInstant(at), exit_mode: exit, place, encountered_by: by };
    const v = await run(() => api.recordRelease(view.id, body));
    if (v) onSaved(v);
  }
  return (
    <form onSubmit={submit} noValidate aria-labelledby="encounter-title">
      <h3 id="encounter-title" className="h3">{t('cases.recordEncounter')}</h3>
      <FormErrors errors={errors} fields={['encountered_at', 'exit_mode', 'encountered_by']} />
      <div className="details-grid">
        <Field label={t('cases.encounteredAt')} error={errors.encountered_at}>
          <input type="datetime-local" name="encountered_at" dir="ltr" max={localNow()} value={at} onChange={(e) => setAt(e.target.value)} />
        </Field>
        <Field label={t('cases.exitMode')} error={errors.exit_mode}>
          <select name="exit_mode" value={exit} onChange={(e) => setExit(e.target.value as ExitMode)}>
            {EXIT_MODES.map((m) => <option key={m} value={m}>{label('exit', m)}</option>)}
          </select>
        </Field>
        <Field label={t('cases.place')}><input name="place" value={place} onChange={(e) => setPlace(e.target.value)} /></Field>
        <Field label={`${t('cases.encounteredBy')} *`} error={errors.encountered_by}><input name="encountered_by" value={by} onChange={(e) => setBy(e.target.value)} /></Field>
      </div>
      <button type="submit" disabled={busy}>{t('cases.saveEncounter')}</button>
    </form>
  );
}

function HandoverForm({ view, onSaved }: { view: CaseView; onSaved(v: CaseView): void }) {
  const { t } = useTranslation();
  const [at, setAt] = useState(localNow());
  const [to, setTo] = useState<Actor>('civilian_child_protection');
  const { busy, errors, run } = useSubmit();
  async function submit(e: FormEvent) {
    e.preventDefault();
    const v = await run(() => api.recordHandover(view.id, { handed_over_at: toInstant(at), handed_over_to: to }));
    if (v) onSaved(v);
  }
  return (
    <form onSubmit={submit} noValidate aria-labelledby="handover-title">
      <h3 id="handover-title" className="h3">{t('cases.recordHandover')}</h3>
      <FormErrors errors={errors} fields={['handed_over_at', 'handed_over_to']} />
      <div className="details-grid">
        <Field label={t('cases.handedOverAt')} error={errors.handed_over_at}>
          <input type="datetime-local" name="handed_over_at" dir="ltr" max={localNow()} value={at} onChange={(e) => setAt(e.target.value)} />
        </Field>
        <Field label={t('cases.handedOverTo')} error={errors.handed_over_to}>
          <select name="handed_over_to" value={to} onChange={(e) => setTo(e.target.value as Actor)}>
            {HANDOVER_ACTORS.map((a) => <option key={a} value={a}>{label('actor', a)}</option>)}
          </select>
        </Field>
      </div>
      <button type="submit" disabled={busy}>{t('cases.saveHandover')}</button>
    </form>
  );
}

/**
 * Re-recruitment: flags recorded on the case, or found by the server in a later MRM recruitment (its
 * alert). A new flag is offered on an open case; the server raises the risk and alerts the agency.
 */
function ReRecruitment({ view, alertKinds, onSaved }: { view: CaseView; alertKinds: string[]; onSaved(v: CaseView): void }) {
  const { t } = useTranslation();
  const flags = view.re_recruitment ?? [];
  const [on, setOn] = useState(today());
  const [note, setNote] = useState('');
  const { busy, errors, run } = useSubmit();
  const may = view.status === 'open' && view.permitted_actions.includes('update');
  async function submit(e: FormEvent) {
    e.preventDefault();
    const v = await run(() => api.flagReRecruitment(view.id, { recruited_on: on, note }));
    if (v) onSaved(v);
  }
  return (
    <>
      {(flags.length > 0 || alertKinds.includes('re_recruitment')) && (
        <div className="notice notice-error" role="alert">
          <p><strong>{label('alert', 're_recruitment')}</strong></p>
          {flags.length > 0 && <ul>{flags.map((f) => <li key={f.id}>{t('cases.recruitedOn', { date: formatDate(f.recruited_on) })}{f.note && ` · ${f.note}`}</li>)}</ul>}
        </div>
      )}
      {may && (
        <details className="case-form">
          <summary>{t('cases.flagReRecruitment')}</summary>
          <form onSubmit={submit} noValidate>
            <p className="hint">{t('cases.flagHint')}</p>
            <FormErrors errors={errors} fields={['re_recruitment.recruited_on']} />
            <div className="details-grid">
              <Field label={t('cases.recruitedOnLabel')} error={errors['re_recruitment.recruited_on']}>
                <input type="date" name="recruited_on" dir="ltr" max={today()} value={on} onChange={(e) => setOn(e.target.value)} />
              </Field>
              <Field label={t('cases.note')}><input name="re_recruitment_note" value={note} onChange={(e) => setNote(e.target.value)} /></Field>
            </div>
            <button type="submit" disabled={busy}>{t('cases.flagReRecruitment')}</button>
          </form>
        </details>
      )}
    </>
  );
}
