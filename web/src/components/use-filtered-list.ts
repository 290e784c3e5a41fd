import { useState } from 'react';
import type { ListFilters } from '../api/types.ts';
import { useReference } from '../reference.ts';
import { usePagedList } from './use-paged-list.ts';

/**
 * What every filtered record list needs: the reference data for its pickers and labels, the applied
 * filters, and the cursor-paged rows for them. `fetchPage` must be stable (module-level or memoised),
 * or every render would start the list again.
 */
export function useFilteredList<T>(fetchPage: (f: ListFilters) => Promise<{ items: T[]; next_cursor: string | null }>, pageSize = 100) {
  const reference = useReference();
  const [filters, setFilters] = useState<ListFilters>({});
  const list = usePagedList<T>(fetchPage, filters, pageSize);
  return { reference, filters, setFilters, list };
}
