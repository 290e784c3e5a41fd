import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import { violationInput, violationUpdateBody } from '../../../src/modules/mrm/schema.ts';
import { AGE_BANDS } from '../../../src/modules/mrm/vocabulary.ts';
import { api, ApiError } from '../api/client.ts';
import type { AgeBand, IncidentView, ViolationView } from '../api/types.ts';
import { Notice, errorText } from '../components/field.tsx';
import type { Reference } from '../reference.ts';
import { newDraft, newViolation, toRequestBody, type SourceDraft, type TallyDraft, type VictimDraft, type ViolationDraft } from './incident-form/draft.ts';
import { ViolationEditor } from './incident-form/violation-editor.tsx';

type ViolationBody = NonNullable<ReturnType<typeof toRequestBody>['violations']>[number];

/** A stored violation as the form's working state (pseudonymous references only, as in the form). */
function draftOf(v: ViolationView): ViolationDraft {
  const n = (x: number) => (x === 0 ? '' : String(x));
  const tallies = Object.fromEntries(AGE_BANDS.map((b) => {
    const row = v.tallies.find((x) => x.age_band === b);
    return [b, { boys: n(row?.boys ?? 0), girls: n(row?.girls ?? 0), sex_unknown: n(row?.sex_unknown ?? 0) }];
  })) as Record<AgeBand, TallyDraft>;
  return {
    key: v.id, type: v.type, details: v.details, tallies, perpetrators: v.perpetrators.map((p) => ({ ...p })), crossborder: v.crossborder, crossfire: v.crossfire,
    victims: v.victims.map((x): VictimDraft => ({ ref: x.ref, sex: x.sex as VictimDraft['sex'], age: x.age === null ? '' : String(x.age), ageEstimated: x.age_estimated })),
    sources: v.sources.map((x): SourceDraft => ({
      ref: x.ref, category: x.category as SourceDraft['category'], type: x.type as SourceDraft['type'], unTrainedMonitor: x.un_trained_monitor,
      reliability: (x.reliability ?? '') as SourceDraft['reliability'], credibility: (x.credibility ?? '') as SourceDraft['credibility'],
    })),
  };
}

/** The request body of one violation, by the same mapping the new-incident form uses. */
const bodyOf = (d: ViolationDraft): ViolationBody => toRequestBody({ ...newDraft(), violations: [d] }, '').violations![0]!;

const verifiedSomewhere = (v: ViolationView) => Object.values(v.verification).some((l) => l.status === 'verified');

/**
 * The violations of an incident being edited: each one not yet verified at any level can be changed
 * (its type stays: a different violation is a new one), and violations can be added. The server's
 * schemas check the input here first; the version read is sent, so a change made meanwhile is refused.
 */
export function IncidentViolations({ incident, reference, onChanged }: { incident: IncidentView; reference: Reference | null; onChanged(): Promise<void> }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<{ id: string | null; draft: ViolationDraft } | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const canAdd = incident.permitted_actions.includes('add_violation');

  const start = (id: string | null, draft: ViolationDraft) => { setOpen({ id, draft }); setErrors({}); setError(null); setNotice(null); };
  const issues = (list: z.core.$ZodIssue[]) => Object.fromEntries(list.map((i) => [`violations.0.${i.path.map(String).join('.')}`, i.message]));

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!open) return;
    const body = bodyOf(open.draft);
    const stored = open.id ? incident.violations.find((v) => v.id === open.id) : undefined;
    let send: () => Promise<unknown>;
    if (stored) {
      const before = bodyOf(draftOf(stored));
      const same = (k: 'victims' | 'sources') => JSON.stringify(before[k]) === JSON.stringify(body[k]);
      // Victims and sources are sent only when changed: the list given replaces the stored one.
      const update = { version: stored.version, details: body.details, crossfire: body.crossfire, crossborder: body.crossborder, tallies: body.tallies,
        perpetrators: body.perpetrators, ...(!same('victims') && { victims: body.victims }), ...(!same('sources') && { sources: body.sources }) };
      const parsed = violationUpdateBody.safeParse(update);
      if (!parsed.success) { setErrors(issues(parsed.error.issues)); return; }
      send = () => api.updateViolation(stored.id, update);
    } else {
      const parsed = violationInput.safeParse(body);
      if (!parsed.success) { setErrors(issues(parsed.error.issues)); return; }
      const input = parsed.data;
      send = () => api.addViolation(incident.id, input);
    }
    setErrors({});
    setError(null);
    setBusy(true);
    try {
      await send();
      setOpen(null);
      setNotice(t('edit.violationSaved'));
      await onChanged();
    } catch (err) {
      setError(err);
      if (err instanceof ApiError && err.field) setErrors({ [`violations.0.${err.field.replace(/\[(\d+)\]/g, '.$1')}`]: errorText(t, err) });
    } finally {
      setBusy(false);
    }
  }

  const conflict = error instanceof ApiError && error.status === 409 && error.field === 'version';
  return (
    <section className="violations" aria-labelledby="edit-violations-heading">
      <h2 id="edit-violations-heading">{t('edit.violations')}</h2>
      <p className="hint">{t('edit.noRemove')}</p>
      <div aria-live="polite">{notice && <Notice kind="info">{notice}</Notice>}</div>
      <ul className="plain-list">
        {incident.violations.map((v, i) => (
          <li key={v.id} className="card">
            <strong>{t('form.violationN', { n: i + 1 })} · {t(`types.${v.type}.name`)}</strong> ({t(`status.${v.verification.final.status}`)})
            {' '}
            {verifiedSomewhere(v) ? <span className="hint">{t('edit.violationLocked')}</span>
              : v.permitted_actions.includes('update') && open?.id !== v.id && (
                <button type="button" onClick={() => start(v.id, draftOf(v))}>{t('edit.changeViolation')}<span className="visually-hidden"> {t('form.violationN', { n: i + 1 })}</span></button>
              )}
          </li>
        ))}
      </ul>
      {open && (
        <form onSubmit={(e) => void save(e)} noValidate aria-label={open.id ? t('edit.changeViolation') : t('edit.addViolation')}>
          {conflict ? <Notice kind="error">{t('edit.violationConflict')}</Notice> : error != null && <Notice kind="error">{errorText(t, error)}</Notice>}
          <fieldset disabled={busy} className="plain-fieldset">
            <ViolationEditor index={0} value={open.draft} reference={reference} errorFor={(p) => errors[p] ?? null} typeFixed={open.id !== null}
              onChange={(draft) => setOpen((o) => o && { ...o, draft })} />
          </fieldset>
          <div className="button-row">
            <button type="submit" className="primary" disabled={busy}>{busy ? t('form.submitting') : t('edit.saveViolation')}</button>
            <button type="button" onClick={() => setOpen(null)}>{t('edit.cancel')}</button>
          </div>
        </form>
      )}
      {!open && canAdd && <button type="button" onClick={() => start(null, newViolation())}>{t('edit.addViolation')}</button>}
    </section>
  );
}
