import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { VERIFICATION_LEVELS } from '../../../src/modules/mrm/vocabulary.ts';
import { api } from '../api/client.ts';
import type { ListFilters, VerificationLevel, ViolationView } from '../api/types.ts';
import { Field, Notice, errorText } from '../components/field.tsx';
import { usePagedList } from '../components/use-paged-list.ts';
import { VerificationPanel } from '../components/verification-panel.tsx';
import { formatNumber } from '../i18n/index.ts';
import { useReference } from '../reference.ts';
import { Link } from '../router.ts';

/** The first level still pending: where the violation waits. */
export function awaitingLevel(v: ViolationView): VerificationLevel | null {
  return VERIFICATION_LEVELS.find((l) => v.verification[l].status === 'pending') ?? null;
}

export function VerificationQueue() {
  const { t } = useTranslation();
  const reference = useReference();
  const [level, setLevel] = useState<VerificationLevel | ''>('');
  // Undecided at the final level: pending, or not verified yet (which can still move).
  const filters = useMemo<ListFilters>(() => ({ status: 'pending,not_verified' }), []);
  const fetchPage = useMemo(() => (f: ListFilters) => api.listViolations(f), []);
  const list = usePagedList<ViolationView>(fetchPage, filters, 50);
  const [changed, setChanged] = useState<Map<string, ViolationView>>(new Map());

  const queue = list.items.map((v) => changed.get(v.id) ?? v).filter((v) => {
    const waiting = awaitingLevel(v);
    return waiting !== null && v.permitted_actions.includes(`verify_${waiting}`) && (!level || waiting === level);
  });

  return (
    <div>
      <h1 tabIndex={-1}>{t('verify.title')}</h1>
      <p className="hint">{t('verify.intro')}</p>
      <div className="filters card">
        <Field label={t('verify.levelFilter')}>
          <select name="queue_level" value={level} onChange={(e) => setLevel(e.target.value as VerificationLevel | '')}>
            <option value="">{t('app.all')}</option>
            {VERIFICATION_LEVELS.map((l) => <option key={l} value={l}>{t(`level.${l}`)}</option>)}
          </select>
        </Field>
      </div>
      {list.error != null && <Notice kind="error">{errorText(t, list.error)}</Notice>}
      {queue.length === 0 && !list.loading && <p>{t('verify.empty')}</p>}
      <ul className="queue">
        {queue.map((v) => {
          const waiting = awaitingLevel(v);
          return (
            <li key={v.id} className="card violation" data-violation-id={v.id}>
              <h2 className="h3">
                {t(`types.${v.type}.name`)} · {formatNumber(v.totals.total)} {t('list.children').toLowerCase()}
              </h2>
              <p className="hint">
                {waiting && t('verify.awaiting', { level: t(`level.${waiting}`) })} ·{' '}
                {t('verify.incident')} <Link to={`/incidents/${v.incident_id}`} dir="ltr">{v.incident_id.slice(0, 8).toUpperCase()}</Link> ·{' '}
                {v.perpetrators.map((p) => reference?.partyById.get(p.party_id)?.name ?? '?').join(', ') || '—'} ·{' '}
                {t('record.sources')}: {formatNumber(v.sources.length)}
              </p>
              <VerificationPanel violation={v} showHistory={false} onChanged={(u) => setChanged((m) => new Map(m).set(u.id, u))} />
            </li>
          );
        })}
      </ul>
      {list.hasMore && <button type="button" onClick={list.loadMore} disabled={list.loading}>{list.loading ? t('list.loadingMore') : t('list.loadMore')}</button>}
    </div>
  );
}
