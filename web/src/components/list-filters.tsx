import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { VERIFICATION_STATUSES, VIOLATION_TYPES } from '../../../src/modules/mrm/vocabulary.ts';
import type { ListFilters } from '../api/types.ts';
import { areaName, type Reference } from '../reference.ts';
import { Field } from './field.tsx';

/** The filters every list shares (the API's listQuery). Applied on submit so a slow link sends one request. */
export function ListFiltersForm({ reference, value, onApply }: { reference: Reference | null; value: ListFilters; onApply(f: ListFilters): void }) {
  const { t } = useTranslation();
  const [f, setF] = useState<ListFilters>(value);
  const set = (k: keyof ListFilters, v: string) => setF((x) => ({ ...x, [k]: v || undefined }));
  const submit = (e: FormEvent) => { e.preventDefault(); onApply(f); };
  const areas = [...(reference?.areas ?? [])].filter((a) => a.admin_level > 0).sort((a, b) => a.pcode.localeCompare(b.pcode));
  return (
    <form className="filters card" onSubmit={submit} aria-label={t('list.filters')}>
      <Field label={t('list.type')}>
        <select name="type" value={f.type ?? ''} onChange={(e) => set('type', e.target.value)}>
          <option value="">{t('list.anyType')}</option>
          {VIOLATION_TYPES.map((v) => <option key={v} value={v}>{t(`types.${v}.name`)}</option>)}
        </select>
      </Field>
      <Field label={t('list.status')}>
        <select name="status" value={f.status ?? ''} onChange={(e) => set('status', e.target.value)}>
          <option value="">{t('list.anyStatus')}</option>
          {VERIFICATION_STATUSES.map((v) => <option key={v} value={v}>{t(`status.${v}`)}</option>)}
        </select>
      </Field>
      <Field label={t('list.from')}><input type="date" name="from" value={f.from ?? ''} onChange={(e) => set('from', e.target.value)} /></Field>
      <Field label={t('list.to')}><input type="date" name="to" value={f.to ?? ''} onChange={(e) => set('to', e.target.value)} /></Field>
      <Field label={t('list.area')}>
        <select name="admin_pcode" value={f.admin_pcode ?? ''} onChange={(e) => set('admin_pcode', e.target.value)}>
          <option value="">{t('list.anyArea')}</option>
          {areas.map((a) => <option key={a.pcode} value={a.pcode}>{'\u00a0'.repeat((a.admin_level - 1) * 2)}{areaName(a)} · {a.pcode}</option>)}
        </select>
      </Field>
      <Field label={t('list.party')}>
        <select name="party_id" value={f.party_id ?? ''} onChange={(e) => set('party_id', e.target.value)}>
          <option value="">{t('list.anyParty')}</option>
          {(reference?.parties ?? []).map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
        </select>
      </Field>
      <div className="button-row">
        <button type="submit" className="primary">{t('list.apply')}</button>
        <button type="button" onClick={() => { setF({}); onApply({}); }}>{t('list.clear')}</button>
      </div>
    </form>
  );
}
