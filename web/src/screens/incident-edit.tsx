import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { incidentCreateBody, incidentUpdateBody } from '../../../src/modules/mrm/schema.ts';
import { api, ApiError } from '../api/client.ts';
import type { IncidentCreate, IncidentUpdate, IncidentView } from '../api/types.ts';
import { Field, Notice, errorText } from '../components/field.tsx';
import { editValues, foldEdits, withPending, type EditField } from '../offline/merge.ts';
import { outbox } from '../offline/outbox.ts';
import { PinGate } from '../offline/pin-gate.tsx';
import { uuid7 } from '../offline/uuid7.ts';
import { vault } from '../offline/vault.ts';
import { useReference } from '../reference.ts';
import { Link, navigate } from '../router.ts';
import { useMe } from '../session.tsx';
import { EditSourceNotices } from './incident-edit-notices.tsx';
import { useEditSource, type EditSource } from './incident-edit-source.ts';
import { AreaPicker } from './incident-form/area-picker.tsx';
import { IncidentViolations } from './incident-violations.tsx';

const STATUSES = ['open', 'closed', 'duplicate'] as const;
type FormValues = { title: string; status: IncidentView['status']; start: string; end: string; precision: IncidentView['date']['precision']; pcode: string; narrativePublic: string };

/**
 * Changes to an incident's own fields, for a user the server lets edit it (`update` among its permitted
 * actions). Online, the version read is sent back, so an edit made meanwhile by someone else is refused
 * (409) rather than overwritten. With no network the screen opens from the device (issue 7): the sealed
 * copy the pull left there, or the report still waiting in the outbox. An edit is then kept sealed in the
 * outbox with the version and values it started from and pushed through sync (the server merges field by
 * field); a report not yet sent is corrected in place, under the same id.
 */
export function IncidentEdit({ id }: { id: string }) {
  const { t } = useTranslation();
  const { state, reload } = useEditSource(id);
  if (state.status === 'loading') return <p className="loading" role="status">{t('app.loading')}</p>;
  if (state.status === 'ready') return <EditForm key={formKey(state.source)} id={id} source={state.source} reload={reload} />;
  return (
    <>
      <h1 tabIndex={-1}>{t('edit.title')}</h1>
      {state.status === 'locked' && (
        <Notice kind="info">
          <p>{t(state.why === 'offline' ? 'edit.lockedOffline' : 'edit.lockedPending')}</p>
          <PinGate onUnlocked={reload} />
        </Notice>
      )}
      {state.status === 'missing' && <Notice kind="error">{state.offline ? t('edit.notOnDevice') : errorText(t, new ApiError(404, 'record.not_found', '', null, null))}</Notice>}
      {state.status === 'error' && <Notice kind="error">{errorText(t, state.error)}</Notice>}
      <p><Link to="/outbox">{t('edit.toOutbox')}</Link></p>
    </>
  );
}

/**
 * A new form when what it starts from changed (a discarded edit, another source); not when only the
 * version moved (a violation saved below): the values being typed are kept.
 */
const formKey = (s: EditSource) => s.kind === 'queued' ? `q:${s.item.revised_at ?? s.item.queued_at}` : `${s.kind}:${s.pending.map((p) => p.item.id).join()}`;

function initialValues(source: EditSource): FormValues {
  if (source.kind === 'queued') {
    const p = incidentCreateBody.parse(source.report.payload);
    return { title: p.title, status: p.status, start: p.date.start, end: p.date.end ?? '', precision: p.date.precision, pcode: p.location.admin_pcode, narrativePublic: p.narrative.public };
  }
  const v = withPending(editValues(source.incident), source.pending.map((p) => p.edit)) as ReturnType<typeof editValues> & { date: IncidentView['date']; location: IncidentView['location'] };
  return { title: String(v.title), status: v.status as IncidentView['status'], start: v.date.start, end: v.date.end ?? '', precision: v.date.precision,
    pcode: v.location.admin_pcode, narrativePublic: String(v.narrative_public ?? '') };
}

function EditForm({ id, source, reload }: { id: string; source: EditSource; reload(): void }) {
  const { t } = useTranslation();
  const me = useMe();
  const reference = useReference();
  const [form, setForm] = useState<FormValues>(() => initialValues(source));
  const [error, setError] = useState<unknown>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [needPin, setNeedPin] = useState<(() => Promise<void>) | null>(null);
  const incident = source.kind === 'queued' ? null : source.incident;

  if (incident && !incident.permitted_actions.includes('update')) {
    return <><h1 tabIndex={-1}>{t('edit.title')}</h1><Notice kind="info">{t('edit.notAllowed')}</Notice><p><Link to={`/incidents/${id}`}>{t('edit.back')}</Link></p></>;
  }
  const set = <K extends keyof FormValues>(k: K, v: FormValues[K]) => setForm((f) => ({ ...f, [k]: v }));

  /** The form as the fields an offline edit carries (the shape POST /sync/edits merges). */
  const edited = (): Partial<Record<EditField, unknown>> => ({
    title: form.title, status: form.status,
    date: { start: form.start, end: form.end || null, precision: form.precision, estimated: incident?.date.estimated ?? false },
    location: incident ? { admin_pcode: form.pcode, location_type: incident.location.location_type, coordinates: incident.location.coordinates } : undefined,
    narrative_public: form.narrativePublic,
  });

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFieldErrors({});
    setError(null);
    const save = source.kind === 'queued' ? prepareReportCorrection(source) : prepareEdit(source);
    if (!save) return;
    setBusy(true);
    try {
      await save();
    } catch (err) {
      setError(err);
      if (err instanceof ApiError && err.field) setFieldErrors({ [err.field.replace(/\[(\d+)\]/g, '.$1')]: errorText(t, err) });
    } finally {
      setBusy(false);
    }
  }

  const showIssues = (issues: { path: PropertyKey[] }[]) =>
    setFieldErrors(Object.fromEntries(issues.map((i) => [i.path.map(String).join('.'), t('errors.required')])));

  /** A report not yet received: corrected in place in the outbox (same id); if its receipt came meanwhile, sent as an edit. */
  function prepareReportCorrection(s: Extract<EditSource, { kind: 'queued' }>): (() => Promise<void>) | null {
    const revise = (payload: IncidentCreate): IncidentCreate => ({
      ...payload, title: form.title, status: form.status,
      date: { ...payload.date, start: form.start, end: form.end || null, precision: form.precision },
      location: { ...payload.location, admin_pcode: form.pcode },
      narrative: { ...payload.narrative, public: form.narrativePublic },
    });
    const checked = incidentCreateBody.safeParse(revise(s.report.payload));
    if (!checked.success) { showIssues(checked.error.issues); return null; }
    return async () => {
      const outcome = await outbox.reviseReport(id, (report) => ({ ...report, payload: revise(report.payload) }));
      if (outcome === 'gone') {
        // Received meanwhile, as first saved (version 1): the correction becomes an edit of that record.
        const first = incidentCreateBody.parse(s.report.payload);
        const values = editValues({ ...first, narrative: { public: first.narrative.public } });
        const asEdited = { ...edited(), date: { start: form.start, end: form.end || null, precision: form.precision, estimated: first.date.estimated },
          location: { ...first.location, admin_pcode: form.pcode } };
        await outbox.saveEditOf(id, (pending) => foldEdits(uuid7(), { id, version: 1, values }, pending, asEdited));
      }
      if (navigator.onLine) void outbox.flush(api);
      navigate('/outbox?saved=1');
    };
  }

  /** An edit of a record: straight to the server when online with nothing of it waiting here; otherwise into the outbox. */
  function prepareEdit(s: Exclude<EditSource, { kind: 'queued' }>): (() => Promise<void>) | null {
    const body: IncidentUpdate = {
      version: s.incident.version, title: form.title, status: form.status,
      date: { start: form.start, end: form.end || null, precision: form.precision, estimated: s.incident.date.estimated },
      location: { admin_pcode: form.pcode, location_type: s.incident.location.location_type, coordinates: s.incident.location.coordinates },
      narrative: { public: form.narrativePublic },
    };
    const checked = incidentUpdateBody.safeParse(body);
    if (!checked.success) { showIssues(checked.error.issues); return null; }
    const keep = async () => {
      const from = { id, version: s.incident.version, values: editValues(s.incident) };
      const saved = await outbox.saveEditOf(id, (pending) => foldEdits(uuid7(), from, pending, edited()));
      if (saved === 'nothing' && s.pending.length === 0) { navigate(`/incidents/${id}`); return; }
      if (navigator.onLine) void outbox.flush(api);
      navigate('/outbox?saved=1');
    };
    return async () => {
      // With edits of this incident waiting here, this one goes after them, through the outbox, to keep their order.
      if (s.kind === 'server' && s.pending.length === 0 && (await sentOnline(body))) { navigate(`/incidents/${id}`); return; }
      if (vault.isUnlocked()) await keep();
      else setNeedPin(() => keep);
    };
  }

  /** False when the server cannot be reached (known offline, or the request never got an answer). */
  async function sentOnline(body: IncidentUpdate): Promise<boolean> {
    if (!navigator.onLine) return false;
    try {
      await api.updateIncident(id, body);
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 0) return false;
      throw err;
    }
  }

  const conflict = error instanceof ApiError && error.status === 409;
  // Outside the edit form: a nested form would submit the edit form instead of the PIN.
  const pinPrompt = needPin && (
    <Notice kind="info">
      <p>{t('edit.savedOfflineNeedsPin')}</p>
      <PinGate onUnlocked={() => {
        const keep = needPin;
        setNeedPin(null);
        keep().catch((err: unknown) => setError(err));
      }} />
    </Notice>
  );
  return (
    <>
    {pinPrompt}
    <form className="incident-form" onSubmit={submit} noValidate>
      <h1 tabIndex={-1}>{t('edit.title')}</h1>
      <p className="hint">{incident ? <>{incident.short_id} · {t('record.version', { n: incident.version })}</> : <code>{id.slice(0, 8)}</code>}</p>
      <EditSourceNotices source={source} onDiscarded={reload} />
      {conflict ? <Notice kind="error">{t('edit.conflict')}</Notice> : error != null && <Notice kind="error">{errorText(t, error)}</Notice>}
      <section className="card">
        <Field label={t('form.incidentTitle')} error={fieldErrors.title ?? null}>
          <input name="title" maxLength={300} value={form.title} onChange={(e) => set('title', e.target.value)} />
        </Field>
        <Field label={t('list.status')}>
          <select name="status" value={form.status} onChange={(e) => set('status', e.target.value as IncidentView['status'])}>
            {STATUSES.map((s) => <option key={s} value={s}>{t(`incidentStatus.${s}`)}</option>)}
          </select>
        </Field>
        <div className="details-grid">
          <Field label={t('form.dateStart')} error={fieldErrors['date.start'] ?? null}>
            <input name="date_start" type="date" value={form.start} onChange={(e) => set('start', e.target.value)} />
          </Field>
          <Field label={t('form.dateEnd')} error={fieldErrors['date.end'] ?? null}>
            <input name="date_end" type="date" value={form.end} min={form.start || undefined} onChange={(e) => set('end', e.target.value)} />
          </Field>
          <Field label={t('form.datePrecision')}>
            <select name="date_precision" value={form.precision} onChange={(e) => set('precision', e.target.value as IncidentView['date']['precision'])}>
              {(['day', 'month', 'year'] as const).map((p) => <option key={p} value={p}>{t(`form.precision.${p}`)}</option>)}
            </select>
          </Field>
        </div>
        <AreaPicker reference={reference} scope={me.scope} value={form.pcode} onChange={(p) => set('pcode', p)} error={fieldErrors['location.admin_pcode'] ?? null} />
        <Field label={t('form.narrativePublic')} hint={t('form.narrativePublicHelp')} error={fieldErrors['narrative.public'] ?? null}>
          <textarea name="narrative_public" rows={3} maxLength={5000} value={form.narrativePublic} onChange={(e) => set('narrativePublic', e.target.value)} />
        </Field>
      </section>
      <div className="button-row">
        <button type="submit" className="primary" disabled={busy}>{busy ? t('form.submitting') : t('edit.save')}</button>
        <Link to={source.kind === 'queued' ? '/outbox' : `/incidents/${id}`} className="button">{t('edit.cancel')}</Link>
      </div>
    </form>
    {/* Violations change one by one against the server: shown only when it answered. */}
    {source.kind === 'server' ? <IncidentViolations incident={source.incident} reference={reference} onChanged={async () => reload()} /> : <p className="hint">{t('edit.violationsOnline')}</p>}
    </>
  );
}
