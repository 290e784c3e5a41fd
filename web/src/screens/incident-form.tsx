import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { z } from 'zod';
import { incidentCreateBody } from '../../../src/modules/mrm/schema.ts';
import { api, ApiError } from '../api/client.ts';
import { Field, Notice, errorText } from '../components/field.tsx';
import { useReference } from '../reference.ts';
import { navigate } from '../router.ts';
import { useMe } from '../session.tsx';
import { AreaPicker } from './incident-form/area-picker.tsx';
import { clearDraft, isBlank, loadDraft, newDraft, newViolation, saveDraft, toRequestBody, type IncidentDraft } from './incident-form/draft.ts';
import { MapPin } from './incident-form/map-pin.tsx';
import { ViolationEditor } from './incident-form/violation-editor.tsx';
import { outbox, type ReportEnvelope } from '../offline/outbox.ts';
import { PinGate } from '../offline/pin-gate.tsx';
import { uuid7 } from '../offline/uuid7.ts';
import { vault } from '../offline/vault.ts';

const LOCATION_TYPES = ['village', 'displacement_site', 'school', 'health_facility', 'market', 'private_house', 'road', 'field', 'bush_forest',
  'mining_site', 'military_facility', 'detention_facility', 'religious_building', 'un_premises', 'other'] as const;

type Errors = Record<string, string>;

/** zod's issue path as the dotted key the form uses (`violations.0.tallies`). */
const keyOf = (path: readonly PropertyKey[]) => path.map(String).join('.');
const serverKey = (field: string) => field.replace(/\[(\d+)\]/g, '.$1');

function issueText(t: TFunction, issue: z.core.$ZodIssue): string {
  if (issue.code === 'too_small' && issue.origin === 'string') return t('errors.required');
  if (issue.code === 'invalid_format' || (issue.code === 'invalid_type' && issue.expected === 'string')) return t('errors.required');
  if (issue.code === 'invalid_type' && issue.expected === 'number') return t('errors.invalidNumber');
  if (issue.code === 'too_small' && issue.origin === 'number') return t('errors.invalidNumber');
  if (issue.code === 'invalid_union' || (issue.code === 'invalid_value' && issue.path.at(-1) === 'type')) return t('errors.required');
  return issue.message;
}

export function IncidentForm() {
  const { t } = useTranslation();
  const me = useMe();
  const reference = useReference();
  const [restored] = useState(() => loadDraft());
  const [draft, setDraft] = useState<IncidentDraft>(() => restored ?? newDraft());
  const [confidential, setConfidential] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);
  // The id is chosen once per report, on the device: a second tap or a retry sends the same report.
  const [reportId, setReportId] = useState(uuid7);
  const [needPin, setNeedPin] = useState<ReportEnvelope | null>(null);

  // Keep the draft while typing, a moment after the last keystroke.
  useEffect(() => {
    const timer = setTimeout(() => { if (!isBlank(draft)) saveDraft(draft); }, 300);
    return () => clearTimeout(timer);
  }, [draft]);

  const update = <K extends keyof IncidentDraft>(key: K, value: IncidentDraft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const errorFor = (path: string) => errors[path] ?? null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const body = toRequestBody(draft, confidential);
    const parsed = incidentCreateBody.safeParse(body);
    const found: Errors = {};
    if (draft.violations.length === 0) found.violations = t('form.noViolations');
    if (!parsed.success) for (const issue of parsed.error.issues) found[keyOf(issue.path)] ??= issueText(t, issue);
    if (Object.keys(found).length > 0) {
      setErrors(found);
      setFormError(t('form.fixErrors'));
      requestAnimationFrame(() => summaryRef.current?.focus());
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      // The report's id is the incident's id: a retried push is recognised, and the record keeps the device's id.
      const report: ReportEnvelope = { id: reportId, type: 'incident', created_at: new Date().toISOString(), payload: { ...body, id: reportId } };
      try {
        const receipt = await api.pushReport(report);
        clearDraft();
        navigate(`/incidents/${receipt.id}?saved=1`);
      } catch (err) {
        // No network: the report is kept on the device, sealed, and sent when the network returns.
        if (!(err instanceof ApiError && err.status === 0)) throw err;
        if (vault.isUnlocked()) await keepOffline(report);
        else setNeedPin(report);
      }
    } catch (err) {
      if (err instanceof ApiError && err.field) setErrors({ [serverKey(err.field)]: errorText(t, err) });
      setFormError(errorText(t, err));
      requestAnimationFrame(() => summaryRef.current?.focus());
    } finally {
      setBusy(false);
    }
  }

  async function keepOffline(report: ReportEnvelope) {
    await outbox.enqueue(report);
    clearDraft();
    setReportId(uuid7());
    navigate('/outbox?saved=1');
  }

  function discard() {
    clearDraft();
    setDraft(newDraft());
    setConfidential('');
    setErrors({});
    setFormError(null);
  }

  const unplaced = Object.entries(errors).filter(([k]) => !document.querySelector(`[data-error-key="${CSS.escape(k)}"]`));
  // The PIN prompt is a form of its own: it must sit outside the incident form (a nested form would
  // submit the incident form instead, and the report would never reach the outbox).
  const pinPrompt = needPin && (
    <Notice kind="info">
      <p>{t('offline.savedOfflineNeedsPin')}</p>
      <PinGate onUnlocked={() => {
        const r = needPin;
        setNeedPin(null);
        keepOffline(r).catch((err: unknown) => setFormError(errorText(t, err)));
      }} />
    </Notice>
  );
  return (
    <>
    {pinPrompt}
    <form className="incident-form" onSubmit={submit} noValidate>
      <h1 tabIndex={-1}>{t('form.title')}</h1>
      <p className="hint">{t('form.intro')}</p>
      {restored && !isBlank(restored) && (
        <Notice kind="info">
          {t('form.draftRestored')} <button type="button" className="link-button" onClick={discard}>{t('form.discardDraft')}</button>
        </Notice>
      )}
      <div ref={summaryRef} tabIndex={-1}>
        {formError && (
          <Notice kind="error">
            <p>{formError}</p>
            {unplaced.length > 0 && <ul>{unplaced.map(([k, v]) => <li key={k}><code dir="ltr">{k}</code>: {v}</li>)}</ul>}
          </Notice>
        )}
      </div>

      <section className="card">
        <h2>{t('form.sectionWhat')}</h2>
        <Field label={t('form.incidentTitle')} hint={t('form.incidentTitleHelp')} error={errorFor('title')}>
          <input name="title" maxLength={300} value={draft.title} onChange={(e) => update('title', e.target.value)} data-error-key="title" />
        </Field>
      </section>

      <section className="card">
        <h2>{t('form.sectionWhen')}</h2>
        <div className="details-grid">
          <Field label={t('form.dateStart')} error={errorFor('date.start')}>
            <input name="date_start" type="date" value={draft.dateStart} onChange={(e) => update('dateStart', e.target.value)} data-error-key="date.start" />
          </Field>
          <Field label={t('form.dateEnd')} error={errorFor('date.end')}>
            <input name="date_end" type="date" value={draft.dateEnd} min={draft.dateStart || undefined} onChange={(e) => update('dateEnd', e.target.value)} data-error-key="date.end" />
          </Field>
          <Field label={t('form.datePrecision')}>
            <select name="date_precision" value={draft.precision} onChange={(e) => update('precision', e.target.value as IncidentDraft['precision'])}>
              {(['day', 'month', 'year'] as const).map((p) => <option key={p} value={p}>{t(`form.precision.${p}`)}</option>)}
            </select>
          </Field>
          <Field label={t('form.firstReported')} error={errorFor('first_reported_on')}>
            <input name="first_reported_on" type="date" value={draft.firstReported} onChange={(e) => update('firstReported', e.target.value)} data-error-key="first_reported_on" />
          </Field>
        </div>
        <label className="choice">
          <input type="checkbox" checked={draft.estimated} onChange={(e) => update('estimated', e.target.checked)} />
          <span>{t('form.estimated')}</span>
        </label>
      </section>

      <section className="card">
        <h2>{t('form.sectionWhere')}</h2>
        <div data-error-key="location.admin_pcode">
          <AreaPicker reference={reference} scope={me.scope} value={draft.pcode} onChange={(p) => update('pcode', p)} error={errorFor('location.admin_pcode')} />
        </div>
        <Field label={t('form.locationType')}>
          <select name="location_type" value={draft.locationType} onChange={(e) => update('locationType', e.target.value)}>
            <option value="">—</option>
            {LOCATION_TYPES.map((l) => <option key={l} value={l}>{t(`form.locationTypes.${l}`)}</option>)}
          </select>
        </Field>
        <div data-error-key="location.coordinates.latitude" />
        <div data-error-key="location.coordinates.longitude" />
        <MapPin value={draft.pin} onChange={(p) => update('pin', p)} errorFor={errorFor} />
      </section>

      <section className="violations" aria-labelledby="violations-heading">
        <h2 id="violations-heading">{t('form.sectionViolations')}</h2>
        {errorFor('violations') && <p className="error" role="alert" data-error-key="violations">{errorFor('violations')}</p>}
        {draft.violations.map((v, i) => (
          <div key={v.key} data-error-key={`violations.${i}.type`}>
            <ViolationEditor index={i} value={v} reference={reference} errorFor={errorFor}
              onChange={(next) => setDraft((d) => ({ ...d, violations: d.violations.map((x) => (x.key === v.key ? next : x)) }))}
              onRemove={draft.violations.length > 1 ? () => setDraft((d) => ({ ...d, violations: d.violations.filter((x) => x.key !== v.key) })) : undefined} />
          </div>
        ))}
        <button type="button" onClick={() => setDraft((d) => ({ ...d, violations: [...d.violations, newViolation()] }))}>{t('form.addViolation')}</button>
      </section>

      <section className="card">
        <h2>{t('form.sectionNarrative')}</h2>
        <Field label={t('form.narrativePublic')} hint={t('form.narrativePublicHelp')} error={errorFor('narrative.public')}>
          <textarea name="narrative_public" rows={3} maxLength={5000} value={draft.narrativePublic} onChange={(e) => update('narrativePublic', e.target.value)} />
        </Field>
        <Field label={t('form.narrativeConfidential')} hint={t('form.narrativeConfidentialHelp')} error={errorFor('narrative.confidential')}>
          <textarea name="narrative_confidential" rows={5} maxLength={20000} value={confidential} onChange={(e) => setConfidential(e.target.value)} />
        </Field>
      </section>

      <div className="button-row sticky-actions">
        <button type="submit" className="primary" disabled={busy}>{busy ? t('form.submitting') : t('form.submit')}</button>
      </div>
    </form>
    </>
  );
}
