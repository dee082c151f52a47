import { useEffect, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { MessagePages } from './useMessagePages';
import { MessageRow, ROW_HEIGHT } from './MessageRow';

/** Rows rendered beyond the viewport, so fast wheel scrolling does not flash blank rows. */
const OVERSCAN = 8;

export function MessageList({
  pages,
  selectedId,
  cursor,
  checked,
  fresh,
  onOpen,
  onToggleCheck,
}: {
  pages: MessagePages;
  selectedId: string | null;
  cursor: number;
  checked: ReadonlySet<string>;
  fresh: ReadonlySet<string>;
  onOpen: (index: number, id: string) => void;
  onToggleCheck: (id: string) => void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const count = pages.total ?? 0;
  // The virtualizer is a mutable object by design; the compiler leaves this component unmemoized, which is fine.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: OVERSCAN,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  const { setVisibleRange } = pages;

  useEffect(() => {
    setVisibleRange(first, last);
  }, [first, last, setVisibleRange]);

  useEffect(() => {
    if (cursor >= 0 && cursor < count) virtualizer.scrollToIndex(cursor, { align: 'auto' });
  }, [cursor, count, virtualizer]);

  return (
    <div
      className="list-scroll"
      ref={scrollRef}
      role="listbox"
      aria-label="Messages"
      data-testid="message-list"
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
        {items.map((item) => {
          const m = pages.rowAt(item.index);
          return (
            <div
              key={m?.ID ?? `placeholder-${item.index}`}
              className="row-slot"
              style={{ transform: `translateY(${item.start}px)`, height: item.size }}
            >
              {m ? (
                <MessageRow
                  message={m}
                  selected={m.ID === selectedId}
                  cursor={item.index === cursor}
                  checked={checked.has(m.ID)}
                  fresh={fresh.has(m.ID)}
                  onOpen={() => onOpen(item.index, m.ID)}
                  onToggleCheck={() => onToggleCheck(m.ID)}
                />
              ) : (
                <div className="row row-placeholder" aria-hidden="true">
                  <span className="skeleton" style={{ width: '40%' }} />
                  <span className="skeleton" style={{ width: '70%' }} />
                </div>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
