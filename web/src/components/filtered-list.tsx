import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ListFilters } from '../api/types.ts';
import { formatNumber } from '../i18n/index.ts';
import type { Reference } from '../reference.ts';
import { Notice, errorText } from './field.tsx';
import { ListFiltersForm } from './list-filters.tsx';
import type { useFilteredList } from './use-filtered-list.ts';
import { VirtualTable } from './virtual-table.tsx';

/** The page around a filtered list: heading, filters, how many are shown, the virtual table and "load more". */
export function FilteredList<T>({ title, state, columns, rowKey, renderCells }: {
  title: string;
  state: ReturnType<typeof useFilteredList<T>>;
  columns: { key: string; title: ReactNode; className?: string }[];
  rowKey(row: T): string;
  renderCells(row: T, reference: Reference | null): ReactNode[];
}) {
  const { t } = useTranslation();
  const { reference, filters, setFilters, list } = state;
  return (
    <div>
      <h1 tabIndex={-1}>{title}</h1>
      <details className="filters-toggle" open>
        <summary>{t('list.filters')}</summary>
        <ListFiltersForm reference={reference} value={filters} onApply={(f: ListFilters) => setFilters(f)} />
      </details>
      {list.error != null && <Notice kind="error">{errorText(t, list.error)}</Notice>}
      <p className="hint" aria-live="polite">{t('list.shown', { n: formatNumber(list.items.length) })}</p>
      {list.items.length === 0 && !list.loading ? <p>{t('list.empty')}</p> : (
        <VirtualTable label={title} columns={columns} rows={list.items} rowKey={rowKey} onNearEnd={list.loadMore}
          renderCells={(r) => renderCells(r, reference)}
          footer={list.hasMore && <button type="button" onClick={list.loadMore} disabled={list.loading}>{list.loading ? t('list.loadingMore') : t('list.loadMore')}</button>} />
      )}
    </div>
  );
}
