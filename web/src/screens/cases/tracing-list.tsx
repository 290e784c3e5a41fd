import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { Field } from '../../components/field.tsx';
import { formatDate, formatDateTime, formatNumber } from '../../i18n/index.ts';
import { Link, navigate } from '../../router.ts';
import { caseRef, FormErrors, label, Loading, today, useLoad, useSubmit } from './common.tsx';
import type { TracingRequestCreate } from './types.ts';

/** The agency's tracing requests from families, and a new one (who is sought and who asks are sealed on the server). */
export function TracingList() {
  const { t } = useTranslation();
  const list = useLoad(() => api.tracingRequests(), []);
  return (
    <div className="cases">
      <p><Link to="/cases">{t('cases.backToList')}</Link></p>
      <h1 tabIndex={-1}>{t('cases.tracingTitle')}</h1>
      <p className="hint">{t('cases.tracingIntro')}</p>
      {!list.data ? <Loading error={list.error} /> : list.data.items.length === 0 ? <p>{t('cases.noTracing')}</p> : (
        <div className="table-scroll">
          <table className="data-table">
            <caption>{t('cases.tracingCaption', { n: formatNumber(list.data.items.length) })}</caption>
            <thead><tr>
              <th scope="col">{t('cases.request')}</th><th scope="col">{t('cases.sexLabel')}</th><th scope="col">{t('cases.separatedOn')}</th><th scope="col">{t('cases.statusLabel')}</th>
            </tr></thead>
            <tbody>
              {list.data.items.map((r) => (
                <tr key={r.id}>
                  <th scope="row"><Link to={`/tracing/${r.id}`} aria-label={t('cases.openRequest', { ref: caseRef(r.id) })} dir="ltr">{caseRef(r.id)}</Link><div className="hint">{formatDateTime(r.created_at)}</div></th>
                  <td>{label('sex', r.sex)}</td>
                  <td>{r.separated_on ? formatDate(r.separated_on) : '—'}</td>
                  <td>{label('tracing', r.status)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <NewRequest />
    </div>
  );
}

function NewRequest() {
  const { t } = useTranslation();
  const [f, setF] = useState({ child_name: '', other_names: '', birth: '', father_name: '', mother_name: '', place_of_origin: '', requester_name: '', requester_relationship: '', requester_contact: '' });
  const [sex, setSex] = useState<TracingRequestCreate['sex']>('female');
  const [separated, setSeparated] = useState('');
  const { busy, errors, setErrors, run } = useSubmit();
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  async function submit(e: FormEvent) {
    e.preventDefault();
    const missing: Record<string, string> = {};
    for (const k of ['child_name', 'requester_name', 'requester_relationship'] as const) if (!f[k].trim()) missing[`sought.${k}`] = t('errors.required');
    if (f.birth && !/^\d{4}(-\d{2}(-\d{2})?)?$/.test(f.birth)) missing['sought.birth'] = t('cases.birthRule');
    if (Object.keys(missing).length) { setErrors(missing); return; }
    const { birth, ...rest } = f;
    const created = await run(() => api.createTracingRequest({ sought: { ...rest, ...(birth && { birth: { date: birth } }) }, sex, ...(separated && { separated_on: separated }) }));
    if (created) navigate(`/tracing/${created.id}`);
  }
  const field = (k: keyof typeof f, text: string, required = false, ltr = false) => (
    <Field label={`${text}${required ? ' *' : ''}`} error={errors[`sought.${k}`]}>
      <input name={k} autoComplete="off" dir={ltr ? 'ltr' : undefined} value={f[k]} onChange={set(k)} />
    </Field>
  );
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="new-tracing">
      <h2 id="new-tracing">{t('cases.newTracing')}</h2>
      <p className="hint">{t('cases.tracingSealed')}</p>
      <FormErrors errors={errors} fields={['sought.child_name', 'sought.requester_name', 'sought.requester_relationship', 'sought.birth', 'separated_on']} />
      <div className="details-grid">
        {field('child_name', t('cases.soughtName'), true)}
        {field('other_names', t('cases.otherNames'))}
        {field('birth', t('cases.dateOfBirth'), false, true)}
        <Field label={t('cases.sexLabel')}>
          <select name="sought_sex" value={sex} onChange={(e) => setSex(e.target.value as TracingRequestCreate['sex'])}>
            {(['female', 'male', 'unknown'] as const).map((s) => <option key={s} value={s}>{label('sex', s)}</option>)}
          </select>
        </Field>
        {field('father_name', t('cases.fatherName'))}
        {field('mother_name', t('cases.motherName'))}
        {field('place_of_origin', t('cases.placeOfOrigin'))}
        <Field label={t('cases.separatedOn')} error={errors.separated_on}><input type="date" name="separated_on" dir="ltr" max={today()} value={separated} onChange={(e) => setSeparated(e.target.value)} /></Field>
        {field('requester_name', t('cases.requesterName'), true)}
        {field('requester_relationship', t('cases.requesterRelationship'), true)}
        {field('requester_contact', t('cases.requesterContact'))}
      </div>
      <button type="submit" className="primary" disabled={busy}>{t('cases.saveTracing')}</button>
    </form>
  );
}
