import { describe, expect, it } from 'vitest';
import { activeChips, listPath, toggleChip, tokenize } from './searchQuery';

describe('search query and chips', () => {
  it('adds a chip term after what was typed and removes it again', () => {
    const on = toggleChip('from:shop@acme.test', 'unread');
    expect(on).toBe('from:shop@acme.test is:unread');
    expect(activeChips(on)).toEqual(new Set(['unread']));
    expect(toggleChip(on, 'unread')).toBe('from:shop@acme.test');
  });

  it('keeps quoted phrases whole when it rewrites the query', () => {
    const q = toggleChip('subject:"order is:unread confirmed" -"spam words"', 'clicked');
    expect(q).toBe('subject:"order is:unread confirmed" -"spam words" is:clicked');
    // the chip term inside the phrase is not a chip
    expect(activeChips(q)).toEqual(new Set(['clicked']));
    expect(tokenize(q)).toEqual(['subject:"order is:unread confirmed"', '-"spam words"', 'is:clicked']);
  });

  it('treats opened and not opened as exclusive', () => {
    const opened = toggleChip('', 'opened');
    expect(opened).toBe('is:opened');
    const notOpened = toggleChip(opened, 'not-opened');
    expect(notOpened).toBe('-is:opened');
    expect(activeChips(notOpened)).toEqual(new Set(['not-opened']));
    expect(toggleChip(notOpened, 'opened')).toBe('is:opened');
  });

  it('lights a chip up when its term was typed by hand, in any case', () => {
    expect(activeChips('IS:UNREAD is:clicked')).toEqual(new Set(['unread', 'clicked']));
  });

  it('uses the plain list without a query and the search route with one, encoded', () => {
    expect(listPath('  ', 200, 100)).toBe('messages?start=200&limit=100');
    expect(listPath('subject:"a&b" is:opened', 0, 100)).toBe(
      'search?query=subject%3A%22a%26b%22%20is%3Aopened&start=0&limit=100',
    );
  });
});
