import { describe, expect, it } from 'vitest';
import type { TrackingManifest } from '../../../src-main/wire/types';
import { diffHtml, foldUnchanged } from './htmlDiff';

const T = 'http://127.0.0.1:8026';
const original = [
  '<!doctype html><html><body>',
  '<p>Hi Ann, <a href="https://acme.test/start">start</a> and <a href="https://acme.test/start">again</a></p>',
  '<p><a href="mailto:help@acme.test">help</a></p>',
  '</body></html>',
].join('\n');
const tracked = original
  .replace('href="https://acme.test/start"', `href="${T}/c?t=AAA"`)
  .replace('href="https://acme.test/start"', `href="${T}/c?t=BBB"`)
  .replace('</body>', `<img src="${T}/o?t=PIX" width="1" height="1" alt="">\n</body>`);

const manifest: TrackingManifest = {
  enabled: true,
  disabledReason: '',
  pixel: { tokenId: 'p', url: `${T}/o?t=PIX`, placement: 'before-body-end', offset: 0, line: 4, partId: '1' },
  links: [
    {
      index: 1,
      offset: 0,
      line: 2,
      tag: 'a',
      originalUrl: 'https://acme.test/start',
      trackedUrl: `${T}/c?t=AAA`,
      tokenId: 'a',
      inMsoComment: false,
      partId: '1',
    },
    {
      index: 2,
      offset: 0,
      line: 2,
      tag: 'a',
      originalUrl: 'https://acme.test/start',
      trackedUrl: `${T}/c?t=BBB`,
      tokenId: 'b',
      inMsoComment: false,
      partId: '1',
    },
  ],
  skipped: [],
  unsubscribe: {
    tokenId: 'u',
    url: `${T}/u?t=UUU`,
    headersAdded: true,
    placeholdersFilled: 0,
    existingHeader: '',
  },
};

describe('original vs tracked HTML', () => {
  it('numbers each change and names it after the manifest entry it belongs to', () => {
    const d = diffHtml(original, tracked, manifest);
    expect(d.changes.map((c) => c.label)).toEqual(['link #1', 'link #2', 'pixel']);
    expect(d.changes.map((c) => c.number)).toEqual([1, 2, 3]);
    expect(d.changes[0].removed).toContain('acme.test/start');
    expect(d.changes[0].added).toContain('/c?t=AAA');
  });

  it('rebuilds both documents exactly from their segments', () => {
    const d = diffHtml(original, tracked, manifest);
    expect(d.original.map((s) => s.text).join('')).toBe(original);
    expect(d.tracked.map((s) => s.text).join('')).toBe(tracked);
  });

  it('marks only the changed text, not the whole line', () => {
    const d = diffHtml(original, tracked, manifest);
    const marked = d.tracked.filter((s) => s.change !== null).map((s) => s.text);
    expect(marked.join('')).not.toContain('Hi Ann');
    expect(marked.join('')).not.toContain('mailto:');
  });

  it('finds no changes in identical documents', () => {
    const d = diffHtml(original, original, manifest);
    expect(d.changes).toEqual([]);
  });

  it('labels changes by their tracking URL when there is no manifest', () => {
    const d = diffHtml(original, tracked, null);
    expect(d.changes.map((c) => c.label)).toEqual(['link', 'link', 'pixel']);
  });
});

describe('folding unchanged HTML', () => {
  const lines = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `line ${from + i}`).join('\n');

  it('keeps context around a change and folds the rest, losing no text', () => {
    const segments = [
      { text: `${lines(20)}\n<a href="`, change: null },
      { text: 'http://t/c?t=1', change: 1 },
      { text: `">\n${lines(20, 21)}`, change: null },
    ];
    const pieces = foldUnchanged(segments, 3);
    expect(pieces.map((p) => p.text).join('')).toBe(segments.map((s) => s.text).join(''));
    const gaps = pieces.filter((p) => p.gap !== undefined).map((p) => p.gap);
    expect(gaps).toEqual([17, 17]);
    // the lines next to the change stay visible
    const visible = pieces
      .filter((p) => p.gap === undefined)
      .map((p) => p.text)
      .join('');
    expect(visible).toContain('line 20');
    expect(visible).toContain('line 23');
    expect(visible).not.toContain('line 24');
  });

  it('leaves short runs alone', () => {
    const segments = [
      { text: 'a\nb\n', change: null },
      { text: 'X', change: 1 },
      { text: '\nc\nd', change: null },
    ];
    expect(foldUnchanged(segments, 3)).toEqual(segments);
  });
});
