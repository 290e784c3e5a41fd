import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { incidentUpdateBody } from '../../../src/modules/mrm/schema.ts';
import { api, ApiError } from '../api/client.ts';
import type { IncidentUpdate, IncidentView } from '../api/types.ts';
import { Field, Notice, errorText } from '../components/field.tsx';
import { editToPush, editValues, type EditField, type EditPush } from '../offline/merge.ts';
import { outbox } from '../offline/outbox.ts';
import { PinGate } from '../offline/pin-gate.tsx';
import { uuid7 } from '../offline/uuid7.ts';
import { vault } from '../offline/vault.ts';
import { useReference } from '../reference.ts';
import { Link, navigate } from '../router.ts';
import { useMe } from '../session.tsx';
import { AreaPicker } from './incident-form/area-picker.tsx';
import { IncidentViolations } from './incident-violations.tsx';

const STATUSES = ['open', 'closed', 'duplicate'] as const;

/**
 * Changes to an incident's own fields, for a user the server lets edit it (`update` among its
 * permitted actions). The version read is sent back, so an edit made meanwhile by someone else is
 * refused (409) rather than overwritten; nothing of theirs is lost. With no network the edit is kept
 * on the device, sealed in the outbox with the version and values it started from, and pushed through
 * sync when the network returns: the server merges it field by field, and a field someone else changed
 * meanwhile waits for a person on the sync screen (issue 7).
 */
export function IncidentEdit({ id }: { id: string }) {
  const { t } = useTranslation();
  const me = useMe();
  const reference = useReference();
  const [incident, setIncident] = useState<IncidentView | null>(null);
  const [form, setForm] = useState<{ title: string; status: IncidentView['status']; start: string; end: string; precision: IncidentView['date']['precision']; pcode: string; narrativePublic: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [needPin, setNeedPin] = useState<EditPush | null>(null);

  useEffect(() => {
    let live = true;
    api.getIncident(id).then((i) => {
      if (!live) return;
      setIncident(i);
      setForm({ title: i.title, status: i.status, start: i.date.start, end: i.date.end ?? '', precision: i.date.precision, pcode: i.location.admin_pcode, narrativePublic: i.narrative.public });
    }, (e: unknown) => { if (live) setError(e); });
    return () => { live = false; };
  }, [id]);
  // After a violation is saved: its new version (and the incident's) for the next change; the form being typed is kept.
  const reloadViolations = async () => { setIncident(await api.getIncident(id)); };

  if (!incident || !form) {
    return error ? <><h1 tabIndex={-1}>{t('edit.title')}</h1><Notice kind="error">{errorText(t, error)}</Notice></> : <p className="loading" role="status">{t('app.loading')}</p>;
  }
  if (!incident.permitted_actions.includes('update')) {
    return <><h1 tabIndex={-1}>{t('edit.title')}</h1><Notice kind="info">{t('edit.notAllowed')}</Notice><p><Link to={`/incidents/${id}`}>{t('edit.back')}</Link></p></>;
  }
  const set = <K extends keyof typeof form>(k: K, v: (typeof form)[K]) => setForm((f) => f && { ...f, [k]: v });

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!incident || !form) return;
    const body: IncidentUpdate = {
      version: incident.version, title: form.title, status: form.status,
      date: { start: form.start, end: form.end || null, precision: form.precision, estimated: incident.date.estimated },
      location: { admin_pcode: form.pcode, location_type: incident.location.location_type, coordinates: incident.location.coordinates },
      narrative: { public: form.narrativePublic },
    };
    const parsed = incidentUpdateBody.safeParse(body);
    if (!parsed.success) {
      setFieldErrors(Object.fromEntries(parsed.error.issues.map((i) => [i.path.map(String).join('.'), t('errors.required')])));
      return;
    }
    setFieldErrors({});
    setBusy(true);
    setError(null);
    try {
      if (await sentOnline(body)) { navigate(`/incidents/${id}`); return; }
      // No network: only the fields changed here, each with the value it had in the version read.
      const edit = editToPush(uuid7(), { id, version: incident.version, values: editValues(incident) }, editedValues(body));
      if (!edit) { navigate(`/incidents/${id}`); return; }
      if (vault.isUnlocked()) await keepOffline(edit);
      else setNeedPin(edit);
    } catch (err) {
      setError(err);
      if (err instanceof ApiError && err.field) setFieldErrors({ [err.field.replace(/\[(\d+)\]/g, '.$1')]: errorText(t, err) });
    } finally {
      setBusy(false);
    }
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

  async function keepOffline(edit: EditPush) {
    await outbox.enqueueEdit(edit);
    navigate('/outbox?saved=1');
  }

  const conflict = error instanceof ApiError && error.status === 409;
  // Outside the edit form: a nested form would submit the edit form instead of the PIN.
  const pinPrompt = needPin && (
    <Notice kind="info">
      <p>{t('edit.savedOfflineNeedsPin')}</p>
      <PinGate onUnlocked={() => {
        const edit = needPin;
        setNeedPin(null);
        keepOffline(edit).catch((err: unknown) => setError(err));
      }} />
    </Notice>
  );
  return (
    <>
    {pinPrompt}
    <form className="incident-form" onSubmit={submit} noValidate>
      <h1 tabIndex={-1}>{t('edit.title')}</h1>
      <p className="hint">{incident.short_id} · {t('record.version', { n: incident.version })}</p>
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
        <Link to={`/incidents/${id}`} className="button">{t('edit.cancel')}</Link>
      </div>
    </form>
    <IncidentViolations incident={incident} reference={reference} onChanged={reloadViolations} />
    </>
  );
}

/** The update as the fields an offline edit carries (the shape POST /sync/edits merges). */
function editedValues(body: IncidentUpdate): Partial<Record<EditField, unknown>> {
  return {
    title: body.title, status: body.status, date: body.date, location: body.location,
    ...(body.narrative?.public !== undefined && { narrative_public: body.narrative.public }),
  };
}
