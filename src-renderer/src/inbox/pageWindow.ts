// The list shows one virtual row per mail but fetches only the pages that cover the rows on screen, so 100,000
// mails cost the same as 100.
import type { MessageSummary } from '../../../src-main/wire/types';

/** Rows per API request: one request fills a tall screen several times over, and stays small to transfer. */
export const PAGE_SIZE = 100;

/** Rows beyond the visible ones to have ready, so scrolling a little never shows placeholders. */
export const PREFETCH_ROWS = 30;

/** The page numbers needed for rows first..last (inclusive), widened by the prefetch margin and clamped to total. */
export function pagesForRange(
  first: number,
  last: number,
  total: number | null,
  pageSize = PAGE_SIZE,
): number[] {
  const from = Math.max(0, first - PREFETCH_ROWS);
  let to = Math.max(from, last + PREFETCH_ROWS);
  if (total !== null) to = Math.min(to, Math.max(0, total - 1));
  const pages: number[] = [];
  for (let p = Math.floor(from / pageSize); p <= Math.floor(to / pageSize); p++) pages.push(p);
  return pages;
}

/** The row at a list index from whichever pages are loaded, or undefined while its page is on its way. */
export function rowAt(
  index: number,
  pages: ReadonlyMap<number, readonly MessageSummary[]>,
  pageSize = PAGE_SIZE,
): MessageSummary | undefined {
  return pages.get(Math.floor(index / pageSize))?.[index % pageSize];
}

/** Index of a message among the loaded rows, or -1; the keyboard cursor uses it to follow a selection. */
export function indexOfId(
  id: string,
  pages: ReadonlyMap<number, readonly MessageSummary[]>,
  pageSize = PAGE_SIZE,
): number {
  for (const [page, rows] of pages) {
    const i = rows.findIndex((m) => m.ID === id);
    if (i >= 0) return page * pageSize + i;
  }
  return -1;
}
