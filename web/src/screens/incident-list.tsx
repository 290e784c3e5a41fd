import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import type { IncidentSummary, ListFilters } from '../api/types.ts';
import { Notice, errorText } from '../components/field.tsx';
import { ListFiltersForm } from '../components/list-filters.tsx';
import { usePagedList } from '../components/use-paged-list.ts';
import { VirtualTable } from '../components/virtual-table.tsx';
import { formatDate, formatNumber } from '../i18n/index.ts';
import { areaName, useReference } from '../reference.ts';
import { Link } from '../router.ts';

export function IncidentList() {
  const { t } = useTranslation();
  const reference = useReference();
  const [filters, setFilters] = useState<ListFilters>({});
  const fetchPage = useMemo(() => (f: ListFilters) => api.listIncidents(f), []);
  const list = usePagedList<IncidentSummary>(fetchPage, filters);
  const columns = [
    { key: 'id', title: t('list.id'), className: 'col-id' },
    { key: 'date', title: t('list.date'), className: 'col-date' },
    { key: 'title', title: t('list.title'), className: 'col-title' },
    { key: 'area', title: t('list.area'), className: 'col-area' },
    { key: 'types', title: t('list.types'), className: 'col-types' },
  ];
  return (
    <div>
      <h1 tabIndex={-1}>{t('list.incidentsTitle')}</h1>
      <details className="filters-toggle" open>
        <summary>{t('list.filters')}</summary>
        <ListFiltersForm reference={reference} value={filters} onApply={setFilters} />
      </details>
      {list.error != null && <Notice kind="error">{errorText(t, list.error)}</Notice>}
      <p className="hint" aria-live="polite">{t('list.shown', { n: formatNumber(list.items.length) })}</p>
      {list.items.length === 0 && !list.loading ? <p>{t('list.empty')}</p> : (
        <VirtualTable label={t('list.incidentsTitle')} columns={columns} rows={list.items} rowKey={(r) => r.id} onNearEnd={list.loadMore}
          renderCells={(r) => [
            <Link to={`/incidents/${r.id}`} dir="ltr">{r.short_id}</Link>,
            formatDate(r.date.start, r.date.precision),
            <Link to={`/incidents/${r.id}`}>{r.title}</Link>,
            areaName(reference?.areaByPcode.get(r.location.admin_pcode), r.location.admin_pcode),
            r.violation_types.map((v) => t(`types.${v}.name`)).join(', '),
          ]}
          footer={list.hasMore && <button type="button" onClick={list.loadMore} disabled={list.loading}>{list.loading ? t('list.loadingMore') : t('list.loadMore')}</button>} />
      )}
    </div>
  );
}
