import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import type { ListFilters, ViolationView } from '../api/types.ts';
import { Notice, errorText } from '../components/field.tsx';
import { ListFiltersForm } from '../components/list-filters.tsx';
import { usePagedList } from '../components/use-paged-list.ts';
import { VirtualTable } from '../components/virtual-table.tsx';
import { formatNumber } from '../i18n/index.ts';
import { useReference } from '../reference.ts';
import { Link } from '../router.ts';

export function ViolationList() {
  const { t } = useTranslation();
  const reference = useReference();
  const [filters, setFilters] = useState<ListFilters>({});
  const fetchPage = useMemo(() => (f: ListFilters) => api.listViolations(f), []);
  const list = usePagedList<ViolationView>(fetchPage, filters);
  const columns = [
    { key: 'type', title: t('list.type'), className: 'col-title' },
    { key: 'children', title: t('list.children'), className: 'col-num' },
    { key: 'perpetrators', title: t('record.perpetrators'), className: 'col-area' },
    { key: 'status', title: t('list.status'), className: 'col-status' },
    { key: 'incident', title: t('verify.incident'), className: 'col-id' },
  ];
  return (
    <div>
      <h1 tabIndex={-1}>{t('list.violationsTitle')}</h1>
      <details className="filters-toggle" open>
        <summary>{t('list.filters')}</summary>
        <ListFiltersForm reference={reference} value={filters} onApply={setFilters} />
      </details>
      {list.error != null && <Notice kind="error">{errorText(t, list.error)}</Notice>}
      <p className="hint" aria-live="polite">{t('list.shown', { n: formatNumber(list.items.length) })}</p>
      {list.items.length === 0 && !list.loading ? <p>{t('list.empty')}</p> : (
        <VirtualTable label={t('list.violationsTitle')} columns={columns} rows={list.items} rowKey={(r) => r.id} onNearEnd={list.loadMore}
          renderCells={(r) => [
            t(`types.${r.type}.name`),
            formatNumber(r.totals.total),
            r.perpetrators.map((p) => reference?.partyById.get(p.party_id)?.name ?? '?').join(', '),
            <span className={`status status-${r.verification.final.status}`}>{t(`status.${r.verification.final.status}`)}</span>,
            <Link to={`/incidents/${r.incident_id}`} dir="ltr">{r.incident_id.slice(0, 8).toUpperCase()}</Link>,
          ]}
          footer={list.hasMore && <button type="button" onClick={list.loadMore} disabled={list.loading}>{list.loading ? t('list.loadingMore') : t('list.loadMore')}</button>} />
      )}
    </div>
  );
}
