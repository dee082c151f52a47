import { describe, expect, it } from 'vitest';
import { relativeTime, untilTime } from './time';
import { formatSize } from './size';

const NOW = new Date(2026, 10, 23, 15, 30, 0).getTime(); // local time, so day boundaries are the reader's
const ago = (ms: number) => new Date(NOW - ms).toISOString();

describe('relative time', () => {
  it('says just now for the last seconds and for small clock skew', () => {
    expect(relativeTime(ago(10_000), NOW)).toBe('just now');
    expect(relativeTime(ago(-20_000), NOW)).toBe('just now');
  });

  it('counts minutes, then hours', () => {
    expect(relativeTime(ago(5 * 60_000), NOW)).toBe('5 min ago');
    expect(relativeTime(ago(3 * 3_600_000 + 60_000), NOW)).toBe('3 h ago');
  });

  it('shows a time of day for earlier today and yesterday, then a date', () => {
    expect(relativeTime(new Date(2026, 10, 23, 2, 5).toISOString(), NOW)).toBe('02:05');
    expect(relativeTime(new Date(2026, 10, 22, 9, 0).toISOString(), NOW)).toBe('yesterday 09:00');
    expect(relativeTime(new Date(2026, 9, 2, 9, 0).toISOString(), NOW)).toBe('2 Oct');
    expect(relativeTime(new Date(2024, 0, 5).toISOString(), NOW)).toBe('5 Jan 2024');
  });

  it('returns nothing for an unparseable time instead of "NaN"', () => {
    expect(relativeTime('not a date', NOW)).toBe('');
  });
});

describe('time until', () => {
  it('never says just now for a time in the future', () => {
    expect(untilTime(ago(-20_000), NOW)).toBe('in 20 s');
    expect(untilTime(ago(-500), NOW)).toBe('in 1 s');
    expect(untilTime(ago(-5 * 60_000), NOW)).toBe('in 5 min');
    expect(untilTime(ago(-(2 * 3600_000 + 15 * 60_000)), NOW)).toBe('in 2 h 15 min');
    expect(untilTime(ago(-30 * 3600_000), NOW)).toMatch(/^24 Nov \d\d:\d\d$/);
  });

  it('says due now once the time has passed', () => {
    expect(untilTime(ago(1_000), NOW)).toBe('due now');
    expect(untilTime('nonsense', NOW)).toBe('');
  });
});

describe('sizes', () => {
  it('keeps one decimal for small multiples only', () => {
    expect(formatSize(512)).toBe('512 B');
    expect(formatSize(1536)).toBe('1.5 kB');
    expect(formatSize(50 * 1024 * 1024)).toBe('50 MB');
  });
});
