import { useCallback, useEffect, useRef, useState } from 'react';
import type { ListFilters } from '../api/types.ts';

/** Cursor paging: the first page on a filter change, the next when the list nears its end. */
export function usePagedList<T>(fetchPage: (f: ListFilters) => Promise<{ items: T[]; next_cursor: string | null }>, filters: ListFilters, pageSize = 100) {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const generation = useRef(0);
  const busy = useRef(false);

  const load = useCallback(async (from: string | null, reset: boolean) => {
    const gen = reset ? ++generation.current : generation.current;
    busy.current = true;
    setLoading(true);
    setError(null);
    try {
      const page = await fetchPage({ ...filters, limit: pageSize, ...(from && { cursor: from }) });
      if (gen !== generation.current) return;
      setItems((old) => (reset ? page.items : [...old, ...page.items]));
      setCursor(page.next_cursor);
    } catch (err) {
      if (gen === generation.current) setError(err);
    } finally {
      if (gen === generation.current) { busy.current = false; setLoading(false); }
    }
  }, [fetchPage, filters, pageSize]);

  useEffect(() => { void load(null, true); }, [load]);

  const loadMore = useCallback(() => {
    if (!busy.current && cursor) void load(cursor, false);
  }, [cursor, load]);

  return { items, loading, error, hasMore: cursor !== null, loadMore, reload: () => load(null, true) };
}
