import { describe, expect, it } from 'vitest';
import type { MessageSummary } from '../../../src-main/wire/types';
import { indexOfId, PAGE_SIZE, pagesForRange, PREFETCH_ROWS, rowAt } from './pageWindow';

const row = (id: string) => ({ ID: id }) as MessageSummary;

describe('list paging window', () => {
  it('fetches only the pages around the visible rows of a 100,000-mail list', () => {
    expect(pagesForRange(50_010, 50_025, 100_000)).toEqual([499, 500]);
    // the top of the list needs the first page only
    expect(pagesForRange(0, 20, 100_000)).toEqual([0]);
  });

  it('prefetches across a page edge before the row is on screen', () => {
    const last = PAGE_SIZE - PREFETCH_ROWS; // the prefetch margin reaches into the next page
    expect(pagesForRange(last - 20, last, 1000)).toEqual([0, 1]);
    expect(pagesForRange(last - 21, last - 1, 1000)).toEqual([0]);
  });

  it('never asks for a page past the end', () => {
    expect(pagesForRange(90, 110, 120)).toEqual([0, 1]);
    expect(pagesForRange(0, 40, 0)).toEqual([0]);
    // unknown total: ask for what the range needs
    expect(pagesForRange(0, 90, null)).toEqual([0, 1]);
  });

  it('finds rows by list index across loaded pages, and nothing for pages not loaded', () => {
    const pages = new Map([
      [0, [row('a'), row('b')]],
      [3, [row('x'), row('y')]],
    ]);
    expect(rowAt(1, pages, 2)?.ID).toBe('b');
    expect(rowAt(7, pages, 2)?.ID).toBe('y');
    expect(rowAt(4, pages, 2)).toBeUndefined();
    expect(indexOfId('x', pages, 2)).toBe(6);
    expect(indexOfId('nope', pages, 2)).toBe(-1);
  });
});
