import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

/** Which rows to render for a scroll position: the visible ones plus `overscan` on each side. */
export function visibleRange(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan = 8): [number, number] {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  return [first, Math.max(first, last)];
}

interface Props {
  count: number;
  rowHeight: number;
  renderRow: (index: number) => ComponentChildren;
  /** Called with the last rendered index, so the owner can fetch the next page in time. */
  onRange?: (first: number, last: number) => void;
  label: string;
}

/** Fixed-height rows; only the visible ones exist in the DOM, so 100,000 rows scroll like 30. */
export function VirtualList({ count, rowHeight, renderRow, onRange, label }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const frame = useRef(0);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    setViewport(el.clientHeight);
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const onScroll = () => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      if (box.current) setScrollTop(box.current.scrollTop);
    });
  };

  const [first, last] = visibleRange(scrollTop, viewport, rowHeight, count);
  useEffect(() => onRange?.(first, last), [first, last, count]);
  const rows: ComponentChildren[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <div role="row" aria-rowindex={i + 2} class="vrow" style={{ top: `${i * rowHeight}px`, height: `${rowHeight}px` }} key={i}>
        {renderRow(i)}
      </div>,
    );
  }
  return (
    <div class="vlist" ref={box} onScroll={onScroll} tabIndex={0} role="rowgroup" aria-label={label}>
      <div style={{ height: `${count * rowHeight}px`, position: "relative" }}>{rows}</div>
    </div>
  );
}
