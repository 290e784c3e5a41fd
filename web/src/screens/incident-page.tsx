import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client.ts';
import type { IncidentView, ViolationView } from '../api/types.ts';
import { Notice, errorText } from '../components/field.tsx';
import { VerificationPanel } from '../components/verification-panel.tsx';
import { IncidentAttachments } from './incident-form/attachments.tsx';
import { formatDate, formatDateTime, formatNumber, translateOr } from '../i18n/index.ts';
import { areaName, useReference, type Reference } from '../reference.ts';
import { Link, useLocation } from '../router.ts';

export function IncidentPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const { search } = useLocation();
  const reference = useReference();
  const [incident, setIncident] = useState<IncidentView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [confidential, setConfidential] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setIncident(null);
    setError(null);
    api.getIncident(id).then((i) => { if (live) setIncident(i); }, (e: unknown) => { if (live) setError(e); });
    return () => { live = false; };
  }, [id]);

  async function showConfidential() {
    try {
      const full = await api.getIncident(id, 'narrative_confidential');
      setConfidential(full.narrative.confidential ?? '');
    } catch (err) { setError(err); }
  }

  if (error) {
    // No network: the copy kept on the device (or the report still waiting there) opens on the edit screen.
    const offline = error instanceof ApiError && error.status === 0;
    return (
      <>
        <h1 tabIndex={-1}>{t('record.title', { id: id.slice(0, 8).toUpperCase() })}</h1>
        <Notice kind="error">{errorText(t, error)}</Notice>
        {offline && <p><Link to={`/incidents/${id}/edit`}>{t('edit.openOnDevice')}</Link></p>}
      </>
    );
  }
  if (!incident) return <p className="loading" role="status">{t('app.loading')}</p>;
  const replaceViolation = (v: ViolationView) => setIncident((i) => i && { ...i, violations: i.violations.map((x) => (x.id === v.id ? v : x)), version: i.version });
  const area = reference?.areaByPcode.get(incident.location.admin_pcode);
  const narrativeGone = incident.unavailable_fields.includes('narrative_confidential');
  return (
    <article className="record">
      <h1 tabIndex={-1}>{incident.title}</h1>
      {search.get('saved') && <Notice kind="success">{t('form.saved', { id: incident.short_id })}</Notice>}
      {incident.permitted_actions.includes('update') && <p><Link to={`/incidents/${incident.id}/edit`} className="button">{t('edit.open')}</Link></p>}
      {incident.permitted_actions.includes('update') && <IncidentAttachments incidentId={incident.id} />}
      <dl className="facts card">
        <div><dt>{t('list.id')}</dt><dd dir="ltr">{incident.short_id}</dd></div>
        <div><dt>{t('record.date')}</dt><dd>{formatDate(incident.date.start, incident.date.precision)}{incident.date.end && ` – ${formatDate(incident.date.end, incident.date.precision)}`}{incident.date.estimated && ` (${t('record.estimatedAge')})`}</dd></div>
        <div><dt>{t('record.area')}</dt><dd>{areaName(area, incident.location.admin_pcode)} <span dir="ltr">({incident.location.admin_pcode})</span></dd></div>
        {incident.location.location_type && <div><dt>{t('record.place')}</dt><dd>{translateOr(`form.locationTypes.${incident.location.location_type}`, incident.location.location_type)}</dd></div>}
        {incident.location.coordinates && (
          <div><dt>{t('record.coordinates')}</dt><dd dir="ltr">{formatNumber(incident.location.coordinates.latitude)}, {formatNumber(incident.location.coordinates.longitude)} ({t(`form.pinPrecisions.${incident.location.coordinates.precision}`)})</dd></div>
        )}
        {incident.first_reported_on && <div><dt>{t('record.reportedOn')}</dt><dd>{formatDate(incident.first_reported_on)}</dd></div>}
        <div><dt>{t('list.status')}</dt><dd>{t(`incidentStatus.${incident.status}`)} · {t('record.version', { n: incident.version })} · {t('record.created', { date: formatDateTime(incident.created_at) })}</dd></div>
      </dl>

      <section className="card">
        <h2>{t('record.narrativePublic')}</h2>
        <p className="narrative">{incident.narrative.public || '—'}</p>
        {incident.permitted_actions.includes('read_confidential') && (
          <>
            <h2>{t('record.narrativeConfidential')}</h2>
            {narrativeGone ? <p>{t('record.unavailable')}</p> : confidential === null ? (
              <p><button type="button" onClick={() => void showConfidential()}>{t('record.showConfidential')}</button> <span className="hint">{t('record.confidentialAudited')}</span></p>
            ) : <p className="narrative">{confidential || '—'}</p>}
          </>
        )}
      </section>

      <h2>{t('record.violations')}</h2>
      {incident.violations.map((v) => <ViolationCard key={v.id} violation={v} reference={reference} onChanged={replaceViolation} />)}
    </article>
  );
}

function ViolationCard({ violation: v, reference, onChanged }: { violation: ViolationView; reference: Reference | null; onChanged(v: ViolationView): void }) {
  const { t } = useTranslation();
  return (
    <section className="card violation" aria-labelledby={`v-${v.id}`}>
      <h3 id={`v-${v.id}`}>{t(`types.${v.type}.name`)} · {formatNumber(v.totals.total)} {t('list.children').toLowerCase()}</h3>
      {v.tallies.length > 0 && (
        <table className="tally-table">
          <thead><tr><th scope="col">{t('form.ageBand')}</th><th scope="col">{t('form.boys')}</th><th scope="col">{t('form.girls')}</th><th scope="col">{t('form.sexUnknown')}</th></tr></thead>
          <tbody>{v.tallies.map((x) => <tr key={x.age_band}><th scope="row">{t(`ageBand.${x.age_band}`)}</th><td>{formatNumber(x.boys)}</td><td>{formatNumber(x.girls)}</td><td>{formatNumber(x.sex_unknown)}</td></tr>)}</tbody>
        </table>
      )}
      {Object.keys(v.details).length > 0 && (
        <dl className="facts">
          {Object.entries(v.details).map(([k, val]) => (
            <div key={k}><dt>{t(`details.${k}`)}</dt><dd>{Array.isArray(val) ? val.map((x) => t(`opt.${String(x)}`)).join(', ') : typeof val === 'string' ? t(`opt.${val}`) : formatNumber(Number(val))}</dd></div>
          ))}
        </dl>
      )}
      <h4>{t('record.perpetrators')}</h4>
      {v.perpetrators.length === 0 ? <p>{t('record.none')}</p> : (
        <ul>{v.perpetrators.map((p) => {
          const party = reference?.partyById.get(p.party_id);
          return <li key={p.party_id}>{party?.name ?? p.party_id} ({party ? t(`partyCategory.${party.category}`) : ''}; {p.attribution_verified ? t('record.attributed') : t('record.alleged')})</li>;
        })}</ul>
      )}
      {v.victims.length > 0 && (
        <>
          <h4>{t('record.victims')}</h4>
          <ul>{v.victims.map((x) => <li key={x.ref}><span dir="ltr">{x.ref}</span> · {x.sex === 'female' ? t('form.girls') : x.sex === 'male' ? t('form.boys') : t('form.sexUnknown')}{x.age !== null && ` · ${formatNumber(x.age)}${x.age_estimated ? ` (${t('record.estimatedAge')})` : ''}`}</li>)}</ul>
        </>
      )}
      <h4>{t('record.sources')}</h4>
      {v.sources.length === 0 ? <p>{t('record.none')}</p> : (
        <ul>{v.sources.map((s) => (
          <li key={s.ref}><span dir="ltr">{s.ref}</span> · {sourceCategory(t, s.category)}{s.un_trained_monitor && ` · ${t('record.unMonitor')}`}
            {s.reliability && ` · ${t('record.reliability')}: ${t(`record.grade.${s.reliability}`)}`}
            {s.credibility && ` · ${t('record.credibility')}: ${t(`record.grade.${s.credibility}`)}`}</li>
        ))}</ul>
      )}
      <h4>{t('record.verification')}</h4>
      <VerificationPanel violation={v} onChanged={onChanged} />
    </section>
  );
}

function sourceCategory(t: (k: string) => string, category: string): string {
  const keys: Record<string, string> = { primary_victim: 'record.primaryVictim', primary_witness: 'record.primaryWitness', primary_alleged_perpetrator: 'record.primaryPerpetrator', secondary: 'record.secondarySource' };
  return keys[category] ? t(keys[category]) : category;
}
