import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { refuseTransition, TRANSITIONS } from '../../../src/modules/mrm/verification.ts';
import { VERIFICATION_LEVELS } from '../../../src/modules/mrm/vocabulary.ts';
import { api } from '../api/client.ts';
import type { VerificationEvent, VerificationLevel, VerificationStatus, ViolationView } from '../api/types.ts';
import { formatDate, formatDateTime } from '../i18n/index.ts';
import { Field, Notice, errorText } from './field.tsx';

const today = () => new Date().toISOString().slice(0, 10);

/**
 * The three verification levels of one violation, its history, and only the moves this user may make:
 * the level must be in the server's `permitted_actions` and the move allowed by the shared transition
 * table (verification.ts, the same code the server runs).
 */
export function VerificationPanel({ violation, onChanged, showHistory = true }: { violation: ViolationView; onChanged(v: ViolationView): void; showHistory?: boolean }) {
  const { t } = useTranslation();
  const [history, setHistory] = useState<VerificationEvent[] | null>(null);
  const levels = VERIFICATION_LEVELS.filter((l) => violation.permitted_actions.includes(`verify_${l}`));
  const state = violation.verification;
  const decidable = levels.filter((level) => TRANSITIONS[state[level].status].some((to) => refuseTransition(state, { level, to, date: '9999-12-31', note: 'x' }) === null));

  useEffect(() => {
    if (!showHistory) return;
    let live = true;
    api.verificationHistory(violation.id).then((h) => { if (live) setHistory(h.events); }, () => { if (live) setHistory([]); });
    return () => { live = false; };
  }, [violation.id, violation.version, showHistory]);

  return (
    <div className="verification">
      <ol className="levels">
        {VERIFICATION_LEVELS.map((l) => (
          <li key={l} className={`level status-${state[l].status}`}>
            <span className="level-name">{t(`level.${l}`)}</span>
            <span className={`status status-${state[l].status}`}>{t(`status.${state[l].status}`)}</span>
            {state[l].date && <span className="hint">{formatDate(state[l].date)}</span>}
          </li>
        ))}
      </ol>
      {decidable.length > 0 && <DecisionForm violation={violation} levels={decidable} onChanged={onChanged} />}
      {showHistory && (
        <details className="history">
          <summary>{t('record.history')}</summary>
          {history === null ? <p role="status">{t('app.loading')}</p> : history.length === 0 ? <p>{t('record.noHistory')}</p> : (
            <ol>
              {history.map((e) => (
                <li key={e.id}>
                  <time dateTime={e.recorded_at}>{formatDateTime(e.recorded_at)}</time> · {t(`level.${e.level}`)}: {t(`status.${e.from_status}`)} → {t(`status.${e.to_status}`)}
                  {' '}({formatDate(e.date)}){e.note && <> — <q>{e.note}</q></>}
                </li>
              ))}
            </ol>
          )}
        </details>
      )}
    </div>
  );
}

function DecisionForm({ violation, levels, onChanged }: { violation: ViolationView; levels: VerificationLevel[]; onChanged(v: ViolationView): void }) {
  const { t } = useTranslation();
  const [level, setLevel] = useState<VerificationLevel>(levels[0]!);
  const state = violation.verification;
  const options = TRANSITIONS[state[level].status].filter((to) => refuseTransition(state, { level, to, date: '9999-12-31', note: 'x' }) === null);
  const [to, setTo] = useState<VerificationStatus | ''>('');
  const [date, setDate] = useState(today());
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  useEffect(() => { if (!levels.includes(level)) setLevel(levels[0]!); }, [levels, level]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDone(false);
    if (!to) { setErrors({ status: t('errors.required') }); return; }
    const refusal = refuseTransition(state, { level, to, date, note });
    if (refusal) { setErrors({ [refusal.field]: refusal.field === 'note' ? t('verify.noteRequired') : refusal.rule }); return; }
    setErrors({});
    setBusy(true);
    try {
      const updated = await api.verify(violation.id, { level, status: to, date, note });
      setTo('');
      setNote('');
      setDone(true);
      onChanged(updated);
    } catch (err) {
      const field = (err as { field?: string | null }).field ?? '_';
      setErrors({ [field]: errorText(t, err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="decision" onSubmit={submit} noValidate>
      {done && <Notice kind="success">{t('verify.recorded')}</Notice>}
      {errors._ && <Notice kind="error">{errors._}</Notice>}
      <div className="details-grid">
        <Field label={t('verify.levelFilter')} error={errors.level}>
          <select name="level" value={level} onChange={(e) => { setLevel(e.target.value as VerificationLevel); setTo(''); }}>
            {levels.map((l) => <option key={l} value={l}>{t(`level.${l}`)}</option>)}
          </select>
        </Field>
        <Field label={t('verify.moveTo')} error={errors.status}>
          <select name="status" value={to} onChange={(e) => setTo(e.target.value as VerificationStatus)}>
            <option value="">—</option>
            {options.map((s) => <option key={s} value={s}>{t(`status.${s}`)}</option>)}
          </select>
        </Field>
        <Field label={t('verify.date')} error={errors.date}>
          <input name="date" type="date" value={date} max={today()} onChange={(e) => setDate(e.target.value)} />
        </Field>
      </div>
      <Field label={t('verify.note')} hint={to === 'pending' ? t('verify.noteRequired') : undefined} error={errors.note}>
        <textarea name="note" rows={2} maxLength={5000} value={note} onChange={(e) => setNote(e.target.value)} />
      </Field>
      <button type="submit" className="primary" disabled={busy}>{t('verify.submit')}</button>
    </form>
  );
}
