// The inbox's data: the pages of the list that cover the rows on screen, fetched on demand and cached per page.
import { useCallback, useState } from 'react';
import { useQueries, useQueryClient } from '@tanstack/react-query';
import type { MessageSummary, MessagesSummary } from '../../../src-main/wire/types';
import { api } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { listPath } from './searchQuery';
import { useCountScope } from '../shared/countScope';
import { PAGE_SIZE, pagesForRange, rowAt as rowFromPages } from './pageWindow';

/** Rows assumed visible before the list has measured itself: a tall window's worth. */
const INITIAL_VISIBLE_ROWS = 40;

export interface MessagePages {
  /** Mails matching the query, or null until the first page answered. */
  total: number | null;
  unread: number | null;
  rowAt: (index: number) => MessageSummary | undefined;
  loaded: ReadonlyMap<number, readonly MessageSummary[]>;
  setVisibleRange: (first: number, last: number) => void;
  isLoading: boolean;
  error: unknown;
  refetch: () => void;
}

export function useMessagePages(query: string): MessagePages {
  const scope = useCountScope();
  const [range, setRange] = useState<{ query: string; first: number; last: number }>({
    query,
    first: 0,
    last: INITIAL_VISIBLE_ROWS,
  });
  // A new query starts at the top; the old range belongs to another result set.
  const current = range.query === query ? range : { query, first: 0, last: INITIAL_VISIBLE_ROWS };
  const client = useQueryClient();
  // While the pages for a new scroll position load, any page of this query already seen still knows the count,
  // so the list keeps its height instead of collapsing to zero rows.
  const cached = client
    .getQueriesData<MessagesSummary>({ queryKey: ['messages', query] })
    .map(([, data]) => data)
    .find((d): d is MessagesSummary => Boolean(d));
  const knownTotal = cached ? countOf(cached) : null;
  const pageNumbers = pagesForRange(current.first, current.last, knownTotal);

  const results = useQueries({
    queries: pageNumbers.map((page) => ({
      queryKey: queryKeys.messagesPage(query, page, scope),
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        api.get<MessagesSummary>(listPath(query, page * PAGE_SIZE, PAGE_SIZE, scope), signal),
    })),
  });

  const firstData = results.find((r) => r.data)?.data ?? cached;
  const total = firstData ? countOf(firstData) : null;
  const unread = firstData ? (firstData.messages_unread ?? firstData.unread) : null;

  // A handful of pages at most; rebuilt each render so it always matches what the queries hold.
  const loaded = new Map<number, readonly MessageSummary[]>();
  pageNumbers.forEach((page, i) => {
    const data = results[i]?.data;
    if (data) loaded.set(page, data.messages ?? []);
  });

  const setVisibleRange = useCallback(
    (first: number, last: number) => {
      setRange((r) => {
        const same = r.query === query && r.first === first && r.last === last;
        return same ? r : { query, first, last };
      });
    },
    [query],
  );

  const error = results.find((r) => r.error)?.error ?? null;
  const refetch = useCallback(() => {
    for (const r of results) if (r.error) void r.refetch();
  }, [results]);

  return {
    total,
    unread,
    rowAt: (index) => rowFromPages(index, loaded),
    loaded,
    setVisibleRange,
    isLoading: total === null && !error,
    error,
    refetch,
  };
}

/** Mailpit: `messages_count` is the number matching the query; `total` the whole mailbox. */
function countOf(data: MessagesSummary): number {
  return typeof data.messages_count === 'number' ? data.messages_count : data.total;
}
