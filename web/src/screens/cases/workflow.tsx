import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { Field } from '../../components/field.tsx';
import { formatDateTime } from '../../i18n/index.ts';
import { useMe } from '../../session.tsx';
import { CASE_STEPS, CLOSURE_REASONS, type CaseAction } from '../../../../src/modules/cases/workflow.ts';
import { label, useSubmit } from './common.tsx';
import type { CaseView } from './types.ts';

const GATE_OF: Partial<Record<string, string>> = { assessment: 'assessment', case_plan: 'case_plan', follow_up: 'closure' };
const ADVANCE_TO: Partial<Record<string, string>> = { registration: 'assessment', implementation: 'follow_up' };
type Reason = (typeof CLOSURE_REASONS)[number];

/** The six steps, where the case stands, and the moves the server allows this person now (approvals by a supervisor, never the one who asked). */
export function WorkflowSection({ view, onChanged }: { view: CaseView; onChanged(v: CaseView, message: string): void }) {
  const { t } = useTranslation();
  const me = useMe();
  const [note, setNote] = useState('');
  const [reason, setReason] = useState<Reason>('goals_met');
  const { busy, errors, run } = useSubmit();
  const may = (a: string) => view.permitted_actions.includes(a);
  const current = CASE_STEPS.indexOf(view.step);
  const lastRequest = [...(view.history ?? [])].reverse().find((h) => h.action === 'request_approval');
  const askedByMe = lastRequest?.actor_id === me.id;

  async function act(action: CaseAction, message: string) {
    const closing = action === 'request_approval' && view.step === 'follow_up';
    const v = await run(() => api.transitionCase(view.id, { version: view.version, action, note, ...(closing && { closure_reason: reason }) }));
    if (v) { setNote(''); onChanged(v, message); }
  }
  const gate = GATE_OF[view.step];
  const next = ADVANCE_TO[view.step];
  const noteField = (
    <Field label={t('cases.note')} error={errors.note}>
      <textarea name="transition-note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
    </Field>
  );

  return (
    <section className="card" aria-labelledby="case-steps">
      <h2 id="case-steps">{t('cases.stepsTitle')}</h2>
      <ol className="case-steps">
        {CASE_STEPS.map((s, i) => (
          <li key={s} aria-current={i === current && view.status === 'open' ? 'step' : undefined}>
            {i < current || view.status === 'closed' ? '✓ ' : i === current ? '→ ' : ''}
            {label('step', s)}
            {i === current && view.status === 'open' && <strong> · {t('cases.currentStep')}</strong>}
            {GATE_OF[s] && <span className="hint"> · {t('cases.needsApproval')}</span>}
          </li>
        ))}
      </ol>
      {errors._ && <p className="error" role="alert">{errors._}</p>}
      {errors.closure_reason && <p className="error" role="alert">{errors.closure_reason}</p>}

      {may('await_approval') && <p role="status">{t('cases.awaitingApproval', { gate: label('gate', view.approval_pending ?? '') })}</p>}
      {may('transition') && (
        <div className="case-move">
          {view.step === 'follow_up' && (
            <Field label={t('cases.closureReason')} error={errors.closure_reason}>
              <select name="closure_reason" value={reason} onChange={(e) => setReason(e.target.value as Reason)}>
                {CLOSURE_REASONS.map((r) => <option key={r} value={r}>{label('closure', r)}</option>)}
              </select>
            </Field>
          )}
          {noteField}
          <div className="button-row">
            {!view.first_action_at && view.step !== 'registration' && (
              <button type="button" disabled={busy} onClick={() => void act('first_action', t('cases.moved'))}>{t('cases.recordFirstAction')}</button>
            )}
            {next && <button type="button" className="primary" disabled={busy} onClick={() => void act('advance', t('cases.moved'))}>{t('cases.advanceTo', { step: label('step', next) })}</button>}
            {gate && <button type="button" className="primary" disabled={busy} onClick={() => void act('request_approval', t('cases.approvalRequested'))}>{t('cases.requestApproval', { gate: label('gate', gate) })}</button>}
          </div>
        </div>
      )}
      {may('approve') && (askedByMe ? <p>{t('cases.anotherApproves')}</p> : (
        <div className="case-move">
          <p>{t('cases.approvalPendingFor', { gate: label('gate', view.approval_pending ?? '') })}</p>
          {noteField}
          <div className="button-row">
            <button type="button" className="primary" disabled={busy} onClick={() => void act('approve', t('cases.approved'))}>{t('cases.approve', { gate: label('gate', view.approval_pending ?? '') })}</button>
            {may('reject') && <button type="button" disabled={busy} onClick={() => void act('reject', t('cases.rejected'))}>{t('cases.reject')}</button>}
          </div>
        </div>
      ))}
      {may('reopen') && (
        <div className="case-move">
          {noteField}
          <button type="button" disabled={busy} onClick={() => void act('reopen', t('cases.reopened'))}>{t('cases.reopen')}</button>
        </div>
      )}

      {view.history && view.history.length > 0 && (
        <details>
          <summary>{t('cases.historyTitle')}</summary>
          <ul>
            {view.history.map((h, i) => (
              <li key={i}>
                {formatDateTime(h.at)} · {label('action', h.action)}: {label('step', h.from_step)} → {label('step', h.to_step)}{h.note && ` · ${h.note}`}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
