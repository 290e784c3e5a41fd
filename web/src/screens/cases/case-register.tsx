import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { Field } from '../../components/field.tsx';
import { Link, navigate } from '../../router.ts';
import { useMe } from '../../session.tsx';
import { PROTECTION_CONCERNS, RISK_LEVELS } from '../../../../src/modules/cases/schema.ts';
import { caseRef, FormErrors, label, localNow, toInstant, useLoad, useSubmit } from './common.tsx';
import type { CaseCreate } from './types.ts';

const FIELDS = ['child.full_name', 'child.birth', 'sex', 'risk_level', 'concerns', 'identified_at', 'assigned_to'];

/** Registration: who the child is goes sealed to the server (never kept on this device); concerns and risk set the response deadline. */
export function CaseRegister() {
  const { t } = useTranslation();
  const me = useMe();
  const workers = useLoad(() => (me.role === 'supervisor' ? api.caseload() : Promise.resolve(null)), [me.role]);
  const [name, setName] = useState('');
  const [birthKind, setBirthKind] = useState<'date' | 'age'>('age');
  const [birth, setBirth] = useState('');
  const [parents, setParents] = useState('');
  const [sex, setSex] = useState<CaseCreate['sex']>('female');
  const [risk, setRisk] = useState<CaseCreate['risk_level']>('high');
  const [urgent, setUrgent] = useState(false);
  const [concerns, setConcerns] = useState<string[]>([]);
  const [identified, setIdentified] = useState(localNow());
  const [assignTo, setAssignTo] = useState('');
  const { busy, errors, setErrors, run } = useSubmit();

  async function submit(e: FormEvent) {
    e.preventDefault();
    const missing: Record<string, string> = {};
    if (!name.trim()) missing['child.full_name'] = t('errors.required');
    const age = Number(birth);
    if (birthKind === 'age' && (!/^\d{1,2}$/.test(birth) || age > 17)) missing['child.birth'] = t('cases.ageRule');
    if (birthKind === 'date' && !/^\d{4}(-\d{2}(-\d{2})?)?$/.test(birth)) missing['child.birth'] = t('cases.birthRule');
    if (me.role === 'supervisor' && !assignTo) missing.assigned_to = t('errors.required');
    if (Object.keys(missing).length) { setErrors(missing); return; }
    const created = await run(() => api.createCase({
      child: { full_name: name, birth: birthKind === 'age' ? { age_estimate: age } : { date: birth }, parents_names: parents },
      sex, risk_level: risk, urgent, concerns: concerns as CaseCreate['concerns'], identified_at: toInstant(identified),
      ...(assignTo && { assigned_to: assignTo }),
    }));
    if (created) navigate(`/cases/${created.id}?saved=1`);
  }
  const toggle = (c: string) => setConcerns((cs) => (cs.includes(c) ? cs.filter((x) => x !== c) : [...cs, c]));

  return (
    <form className="cases" onSubmit={submit} noValidate>
      <p><Link to="/cases">{t('cases.backToList')}</Link></p>
      <h1 tabIndex={-1}>{t('cases.registerTitle')}</h1>
      <p className="hint">{t('cases.registerIntro')}</p>
      <FormErrors errors={errors} fields={FIELDS} />
      <fieldset className="card">
        <legend>{t('cases.childSealed')}</legend>
        <Field label={`${t('cases.fullName')} *`} error={errors['child.full_name']}>
          <input name="full_name" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <div className="details-grid">
          <Field label={t('cases.birthKind')}>
            <select name="birth_kind" value={birthKind} onChange={(e) => setBirthKind(e.target.value as 'date' | 'age')}>
              <option value="age">{t('cases.birthAge')}</option>
              <option value="date">{t('cases.birthDate')}</option>
            </select>
          </Field>
          <Field label={`${birthKind === 'age' ? t('cases.ageEstimate') : t('cases.dateOfBirth')} *`} error={errors['child.birth']}>
            <input name="birth" dir="ltr" inputMode={birthKind === 'age' ? 'numeric' : 'text'} autoComplete="off" value={birth} onChange={(e) => setBirth(e.target.value)} />
          </Field>
        </div>
        <Field label={t('cases.parentsNames')}>
          <input name="parents_names" autoComplete="off" value={parents} onChange={(e) => setParents(e.target.value)} />
        </Field>
      </fieldset>
      <fieldset className="card">
        <legend>{t('cases.protection')}</legend>
        <div className="details-grid">
          <Field label={t('cases.sexLabel')} error={errors.sex}>
            <select name="sex" value={sex} onChange={(e) => setSex(e.target.value as CaseCreate['sex'])}>
              {(['female', 'male', 'unknown'] as const).map((s) => <option key={s} value={s}>{label('sex', s)}</option>)}
            </select>
          </Field>
          <Field label={t('cases.riskLevel')} hint={t('cases.riskHint')} error={errors.risk_level}>
            <select name="risk_level" value={risk} onChange={(e) => setRisk(e.target.value as CaseCreate['risk_level'])}>
              {RISK_LEVELS.map((r) => <option key={r} value={r}>{label('risk', r)}</option>)}
            </select>
          </Field>
          <Field label={t('cases.identifiedAt')} error={errors.identified_at}>
            <input type="datetime-local" name="identified_at" dir="ltr" max={localNow()} value={identified} onChange={(e) => setIdentified(e.target.value)} />
          </Field>
        </div>
        <label className="choice"><input type="checkbox" name="urgent" checked={urgent} onChange={(e) => setUrgent(e.target.checked)} /> {t('cases.urgentLabel')}</label>
        <fieldset>
          <legend>{t('cases.concerns')}</legend>
          <div className="choices">
            {PROTECTION_CONCERNS.map((c) => (
              <label key={c} className="choice"><input type="checkbox" name={`concern-${c}`} checked={concerns.includes(c)} onChange={() => toggle(c)} /> {label('concern', c)}</label>
            ))}
          </div>
        </fieldset>
        {me.role === 'supervisor' && (
          <Field label={`${t('cases.assignTo')} *`} hint={t('cases.assignHint')} error={errors.assigned_to}>
            <select name="assigned_to" value={assignTo} onChange={(e) => setAssignTo(e.target.value)}>
              <option value="">{t('cases.chooseWorker')}</option>
              {(workers.data?.workers ?? []).map((w) => <option key={w.case_worker} value={w.case_worker}>{w.name ?? t('cases.workerRef', { ref: caseRef(w.case_worker) })}</option>)}
            </select>
          </Field>
        )}
      </fieldset>
      <button type="submit" className="primary" disabled={busy}>{t('cases.registerSubmit')}</button>
    </form>
  );
}
