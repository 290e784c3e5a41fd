import { useEffect, useRef, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';

/**
 * A table whose rows are rendered only when near the viewport, so 10,000 rows scroll on a cheap
 * phone. ARIA table roles keep it a table for screen readers; `aria-rowcount` tells them the size.
 */
export function VirtualTable<T>({ label, columns, rows, rowKey, renderCells, rowHeight = 56, onNearEnd, footer }: {
  label: string;
  columns: { key: string; title: ReactNode; className?: string }[];
  rows: T[];
  rowKey(row: T): string;
  renderCells(row: T): ReactNode[];
  rowHeight?: number;
  onNearEnd?: () => void;
  footer?: ReactNode;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => rowHeight, overscan: 8 });
  const items = virtualizer.getVirtualItems();
  const last = items.at(-1)?.index ?? -1;

  useEffect(() => {
    if (onNearEnd && rows.length > 0 && last >= rows.length - 10) onNearEnd();
  }, [last, rows.length, onNearEnd]);

  // The scrolling element is the table itself (a focusable scroll region with its header row sticky
  // inside it), so every row and rowgroup is a direct child of role=table as ARIA requires.
  return (
    <div className="vtable">
      <div ref={scrollRef} className="vtable-scroll" role="table" aria-label={label} aria-rowcount={rows.length + 1} tabIndex={0}>
        <div role="rowgroup" className="vtable-head">
          <div role="row" className="vtable-row" aria-rowindex={1}>
            {columns.map((c) => <div role="columnheader" key={c.key} className={`vtable-cell ${c.className ?? ''}`}>{c.title}</div>)}
          </div>
        </div>
        <div role="rowgroup" className="vtable-body" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const row = rows[item.index]!;
            const cells = renderCells(row);
            return (
              <div role="row" key={rowKey(row)} className="vtable-row" aria-rowindex={item.index + 2} data-index={item.index}
                style={{ transform: `translateY(${item.start}px)`, height: item.size }}>
                {cells.map((cell, i) => <div role="cell" key={columns[i]!.key} className={`vtable-cell ${columns[i]!.className ?? ''}`}>{cell}</div>)}
              </div>
            );
          })}
        </div>
      </div>
      {footer}
    </div>
  );
}
