import { memo, useEffect, useRef, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';

type Column = { key: string; title: ReactNode; className?: string };
/** More than the rows ever on screen at once (viewport plus overscan), so no two visible rows share a slot. */
const SLOTS = 128;

/**
 * A table whose rows are rendered only when near the viewport, so 10,000 rows scroll on a cheap
 * phone. ARIA table roles keep it a table for screen readers; `aria-rowcount` tells them the size.
 * What keeps a frame short while scrolling: every row has the same fixed height (nothing is measured),
 * a row already on screen is not rendered again (`VirtualRow` is memoised on its record and position),
 * rows are keyed by slot so the DOM nodes of a row scrolled out serve the row scrolled in, the
 * virtualiser's updates are not forced through `flushSync` inside the scroll event, and each row is a
 * CSS containment boundary (styles.css), so a changed row never makes the browser lay out the others.
 */
export function VirtualTable<T>({ label, columns, rows, rowKey, renderCells, rowHeight = 56, onNearEnd, footer }: {
  label: string;
  columns: Column[];
  rows: T[];
  /** The record's id, written on its row (`data-key`). */
  rowKey(row: T): string;
  /** Should be stable while scrolling (it is an input of every row's memo). */
  renderCells(row: T): ReactNode[];
  rowHeight?: number;
  onNearEnd?: () => void;
  footer?: ReactNode;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => rowHeight, overscan: 6, useFlushSync: false,
  });
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
            // Keyed by slot, not by record: a row scrolled out hands its DOM nodes to the row scrolled in,
            // so a fast scroll updates text and position instead of building and discarding elements.
            return <VirtualRow key={item.index % SLOTS} row={row} rowId={rowKey(row)} index={item.index} start={item.start} height={item.size} columns={columns} renderCells={renderCells} />;
          })}
        </div>
      </div>
      {footer}
    </div>
  );
}

function VirtualRowOf<T>({ row, rowId, index, start, height, columns, renderCells }: {
  row: T; rowId: string; index: number; start: number; height: number; columns: Column[]; renderCells(row: T): ReactNode[];
}) {
  const cells = renderCells(row);
  return (
    <div role="row" className="vtable-row" aria-rowindex={index + 2} data-index={index} data-key={rowId} style={{ transform: `translateY(${start}px)`, height }}>
      {cells.map((cell, i) => <div role="cell" key={columns[i]!.key} className={`vtable-cell ${columns[i]!.className ?? ''}`}>{cell}</div>)}
    </div>
  );
}
const VirtualRow = memo(VirtualRowOf) as typeof VirtualRowOf;
