import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api/client.ts';
import type { AllegationView } from '../../api/types.ts';
import { Notice, errorText } from '../../components/field.tsx';
import { formatDate, formatNumber } from '../../i18n/index.ts';
import { Link, useLocation } from '../../router.ts';
import { AssistanceSection } from './assistance.tsx';
import { FactsForm, VictimCorrection } from './corrections.tsx';
import { OutcomeForm, PaternityForm, ReferralForm } from './follow-up.tsx';
import { VictimFields, emptyVictim, victimBody } from './victim-fields.tsx';

const precisionOf = (p: string) => (p === 'month' || p === 'year' ? p : 'day');
type Opened = Pick<AllegationView, 'victims' | 'shredded_fields'>;

/** One allegation through its life. Sealed content (identities, narrative) is opened only on request: each opening is audited. */
export function AllegationPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const { search } = useLocation();
  const [view, setView] = useState<AllegationView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(search.get('saved') ? t('conduct.saved') : null);
  const [narrative, setNarrative] = useState<string | null>(null);
  const [opened, setOpened] = useState<Opened | null>(null);

  useEffect(() => {
    let live = true;
    api.conductAllegation(id).then((v) => { if (live) setView(v); }, (e: unknown) => { if (live) setError(e); });
    return () => { live = false; };
  }, [id]);

  if (!view) {
    return error ? <><h1 tabIndex={-1}>{t('conduct.pageTitleUnknown')}</h1><Notice kind="error">{errorText(t, error)}</Notice></> : <p className="loading" role="status">{t('app.loading')}</p>;
  }
  const may = (a: string) => view.permitted_actions.includes(a);
  const saved = (v: AllegationView, text: string) => { setView(v); setMessage(text); setError(null); setOpened(null); };
  async function open(include: 'identities' | 'narrative') {
    try {
      const full = await api.conductAllegation(id, include);
      if (include === 'narrative') setNarrative(full.narrative ?? '');
      else setOpened({ victims: full.victims, shredded_fields: full.shredded_fields });
    } catch (err) { setError(err); }
  }
  const identityOf = (ref: string) => opened?.victims.find((v) => v.ref === ref);
  const d = view.deadlines;

  return (
    <article className="conduct record">
      <p><Link to="/conduct">{t('conduct.backToList')}</Link></p>
      <h1 tabIndex={-1}>{t('conduct.pageTitle', { date: formatDate(view.received_on) })}</h1>
      {message && <Notice kind="success">{message}</Notice>}
      {error != null && <Notice kind="error">{errorText(t, error)}</Notice>}

      <dl className="facts card">
        <div><dt>{t('conduct.col.type')}</dt><dd>{t(`conduct.types.${view.type}`)}{view.subtype && ` · ${t(`conduct.subtypes.${view.subtype}`)}`}</dd></div>
        <div><dt>{t('conduct.col.personnel')}</dt><dd>{t(`conduct.personnel.${view.personnel_category}`)}{view.contingent_nationality && <> · <span dir="ltr">{view.contingent_nationality}</span></>}</dd></div>
        <div><dt>{t('conduct.incidentDate')}</dt><dd>{view.incident.date ? formatDate(view.incident.date, precisionOf(view.incident.precision)) : t('conduct.precision.unknown')}</dd></div>
        <div><dt>{t('conduct.perpetrators')}</dt><dd>{formatNumber(view.perpetrators)}</dd></div>
        <div><dt>{t('conduct.col.outcome')}</dt><dd>{t(`conduct.outcomes.${view.outcome.status}`)}{view.outcome.on && ` · ${formatDate(view.outcome.on)}`}</dd></div>
        <div><dt>{t('conduct.urgentLabel')}</dt><dd>{view.urgent ? t('app.yes') : t('app.no')} · {t('record.version', { n: view.version })}</dd></div>
      </dl>
      {may('update') && <FactsForm key={view.version} view={view} onSaved={saved} />}

      <section className="card" aria-labelledby="conduct-deadlines">
        <h2 id="conduct-deadlines">{t('conduct.deadlinesTitle')}</h2>
        {!d.ms_response_due && !d.investigation_due ? <p>{t('conduct.noDeadline')}</p> : (
          <dl className="facts">
            {d.ms_response_due && <div><dt>{t('conduct.msResponseDue')}</dt><dd>{formatDate(d.ms_response_due)}{d.overdue.includes('ms_response_overdue') && <span className="conduct-badge">{t('conduct.overdue')}</span>}</dd></div>}
            {d.investigation_due && <div><dt>{t('conduct.investigationDue')}</dt><dd>{formatDate(d.investigation_due)}{d.overdue.includes('investigation_overdue') && <span className="conduct-badge">{t('conduct.overdue')}</span>}</dd></div>}
          </dl>
        )}
      </section>

      {may('read_narrative') && (
        <section className="card" aria-labelledby="conduct-narrative">
          <h2 id="conduct-narrative">{t('conduct.narrative')}</h2>
          {narrative === null ? (
            <p><button type="button" onClick={() => void open('narrative')}>{t('conduct.showNarrative')}</button> <span className="hint">{t('conduct.auditedHint')}</span></p>
          ) : <p className="narrative">{narrative || '—'}</p>}
        </section>
      )}

      <section className="card" aria-labelledby="conduct-victims">
        <h2 id="conduct-victims">{t('conduct.sectionVictims')}</h2>
        {view.victims.length === 0 ? <p>{t('conduct.noVictims')}</p> : (
          <div className="table-scroll">
            <table className="data-table">
              <thead><tr>
                <th scope="col">{t('conduct.col.ref')}</th><th scope="col">{t('conduct.col.age')}</th><th scope="col">{t('conduct.col.sex')}</th>
                <th scope="col">{t('conduct.caseLink')}</th>{opened && <th scope="col">{t('conduct.identity')}</th>}
              </tr></thead>
              <tbody>
                {view.victims.map((v) => {
                  const o = identityOf(v.ref);
                  const gone = opened?.shredded_fields.includes(`victims.${v.ref}.identity`);
                  return (
                    <tr key={v.ref}>
                      <th scope="row" dir="ltr">{v.ref}</th>
                      <td>{t(`conduct.ageClass.${v.age_class}`)}</td>
                      <td>{t(`conduct.sexes.${v.sex}`)}</td>
                      <td>{v.case_link_consent ? <>{t('conduct.caseLinked')}{o?.case_ref && <> · <span dir="ltr">{o.case_ref}</span></>}</> : t('app.no')}</td>
                      {opened && <td>{gone ? t('conduct.shredded') : o?.identity ? `${o.identity.full_name}${o.identity.date_of_birth ? ` · ${o.identity.date_of_birth}` : ''}${o.identity.contact ? ` · ${o.identity.contact}` : ''}` : t('conduct.notRecorded')}</td>}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {may('read_identities') && !opened && view.victims.length > 0 && (
          <p><button type="button" onClick={() => void open('identities')}>{t('conduct.showIdentities')}</button> <span className="hint">{t('conduct.auditedHint')}</span></p>
        )}
        {may('add_victim') && <AddVictim key={view.version} view={view} onAdded={(v) => saved(v, t('conduct.victimAdded'))} />}
        {may('update_victim') && view.victims.length > 0 && <VictimCorrection key={`fix-${view.version}`} view={view} onSaved={saved} />}
      </section>

      {may('refer') && <section className="card"><ReferralForm key={view.version} view={view} onSaved={saved} /></section>}
      {may('record_outcome') && <section className="card"><OutcomeForm key={view.version} view={view} onSaved={saved} /></section>}
      {may('update') && <section className="card"><PaternityForm key={view.version} view={view} onSaved={saved} /></section>}
      <AssistanceSection view={view} onChanged={(assistance, text) => { setView({ ...view, assistance }); setMessage(text); }} />
    </article>
  );
}

function AddVictim({ view, onAdded }: { view: AllegationView; onAdded(v: AllegationView): void }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState(emptyVictim(view.victims.length + 1));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!draft.ref.trim()) { setErrors({ ref: t('errors.required') }); return; }
    setBusy(true);
    setErrors({});
    try {
      onAdded(await api.addAllegationVictim(view.id, victimBody(draft)));
    } catch (err) {
      setErrors({ [err instanceof ApiError && err.field ? err.field : '_']: errorText(t, err) });
    } finally {
      setBusy(false);
    }
  }
  return (
    <details className="conduct-add-victim">
      <summary>{t('conduct.addVictim')}</summary>
      <form onSubmit={submit} noValidate>
        {errors._ && <Notice kind="error">{errors._}</Notice>}
        <VictimFields value={draft} onChange={setDraft} name="new-victim" errors={errors} errorPrefix="" />
        <button type="submit" className="primary" disabled={busy}>{t('conduct.saveVictim')}</button>
      </form>
    </details>
  );
}
