import { describe, expect, it } from 'vitest';
import { keyTargets, listMove } from './keyboard';

describe('list keys', () => {
  it('j and k open the next and previous mail, starting from the open one', () => {
    expect(listMove('j', { cursor: -1, selected: -1, total: 3 })).toEqual({ index: 0, open: true });
    expect(listMove('j', { cursor: -1, selected: 1, total: 3 })).toEqual({ index: 2, open: true });
    expect(listMove('k', { cursor: -1, selected: 1, total: 3 })).toEqual({ index: 0, open: true });
    expect(listMove('k', { cursor: -1, selected: -1, total: 3 })).toEqual({ index: 0, open: true });
  });

  it('stops at the ends of the list', () => {
    expect(listMove('j', { cursor: 2, selected: 2, total: 3 })).toEqual({ index: 2, open: true });
    expect(listMove('k', { cursor: 0, selected: 0, total: 3 })).toEqual({ index: 0, open: true });
  });

  it('arrows only move the highlight; Enter opens the highlighted mail', () => {
    expect(listMove('ArrowDown', { cursor: 0, selected: 0, total: 3 })).toEqual({ index: 1, open: false });
    expect(listMove('ArrowUp', { cursor: 2, selected: 0, total: 3 })).toEqual({ index: 1, open: false });
    expect(listMove('Enter', { cursor: 1, selected: 0, total: 3 })).toEqual({ index: 1, open: true });
    expect(listMove('Enter', { cursor: -1, selected: 0, total: 3 })).toBeNull();
  });

  it('does nothing on an empty list or for other keys', () => {
    expect(listMove('j', { cursor: -1, selected: -1, total: 0 })).toBeNull();
    expect(listMove('x', { cursor: 0, selected: 0, total: 3 })).toBeNull();
  });
});

describe('what u and Delete act on', () => {
  it('the checked mails first, then the open mail, then the highlighted one', () => {
    expect(keyTargets(new Set(['a', 'b']), 'c', 'd')).toEqual(['a', 'b']);
    expect(keyTargets(new Set(), 'c', 'd')).toEqual(['c']);
    expect(keyTargets(new Set(), null, 'd')).toEqual(['d']);
    expect(keyTargets(new Set(), null, null)).toEqual([]);
  });
});
