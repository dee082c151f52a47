// What tracking changed in a mail's HTML, as numbered changes. Lines are compared first (cheap on big mails),
// then only the changed lines are compared token by token, where a quoted attribute value is one token, so a
// rewritten href shows as that one value and nothing else.
import { diffArrays, diffLines } from 'diff';
import type { TrackingManifest } from '../../../src-main/wire/types';

export interface Segment {
  text: string;
  /** Number of the change this text belongs to; null for text both sides share. */
  change: number | null;
}

export interface Change {
  number: number;
  /** What the change is, in the Tracking table's terms: "link #3", "pixel", "unsubscribe". */
  label: string;
  removed: string;
  added: string;
}

export interface HtmlDiff {
  original: Segment[];
  tracked: Segment[];
  changes: Change[];
}

export function diffHtml(original: string, tracked: string, manifest?: TrackingManifest | null): HtmlDiff {
  const out: HtmlDiff = { original: [], tracked: [], changes: [] };
  const lines = diffLines(original, tracked);
  for (let i = 0; i < lines.length; i++) {
    const part = lines[i];
    if (!part.added && !part.removed) {
      push(out.original, part.value, null);
      push(out.tracked, part.value, null);
      continue;
    }
    // A removal followed by an addition is a modified block: compare it word by word.
    if (part.removed && lines[i + 1]?.added) {
      diffBlock(out, part.value, lines[i + 1].value, manifest);
      i++;
      continue;
    }
    const n = addChange(out, part.removed ? part.value : '', part.added ? part.value : '', manifest);
    push(part.removed ? out.original : out.tracked, part.value, n);
  }
  return out;
}

function diffBlock(out: HtmlDiff, before: string, after: string, manifest?: TrackingManifest | null): void {
  const words = diffArrays(htmlTokens(before), htmlTokens(after));
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (!w.added && !w.removed) {
      push(out.original, w.value.join(''), null);
      push(out.tracked, w.value.join(''), null);
      continue;
    }
    let removed = '';
    let added = '';
    // Adjacent removed/added runs are one change: the old href and the new one.
    while (i < words.length && (words[i].added || words[i].removed)) {
      if (words[i].removed) removed += words[i].value.join('');
      else added += words[i].value.join('');
      i++;
    }
    i--;
    const n = addChange(out, removed, added, manifest);
    if (removed) push(out.original, removed, n);
    if (added) push(out.tracked, added, n);
  }
}

/** Quoted values, tag names, runs of URL-ish characters, whitespace, and single other characters. */
export function htmlTokens(html: string): string[] {
  return html.match(/"[^"]*"|'[^']*'|<\/?[A-Za-z][\w:-]*|[\w.:/?#&=%+@;,!~*-]+|\s+|[\s\S]/g) ?? [];
}

function addChange(
  out: HtmlDiff,
  removed: string,
  added: string,
  manifest?: TrackingManifest | null,
): number {
  const number = out.changes.length + 1;
  out.changes.push({ number, label: labelFor(removed, added, manifest), removed, added });
  return number;
}

/** Names a change after the manifest entry whose tracked URL it introduced. */
export function labelFor(removed: string, added: string, manifest?: TrackingManifest | null): string {
  if (manifest) {
    const link = manifest.links.find(
      (l) => added.includes(l.trackedUrl) || added.includes(htmlEscapeUrl(l.trackedUrl)),
    );
    if (link) return `link #${link.index}`;
    if (
      manifest.pixel &&
      (added.includes(manifest.pixel.url) || added.includes(htmlEscapeUrl(manifest.pixel.url)))
    )
      return 'pixel';
    if (manifest.unsubscribe?.url && added.includes(manifest.unsubscribe.url)) return 'unsubscribe';
  }
  if (/\/o\?t=/.test(added)) return 'pixel';
  if (/\/c\?t=/.test(added)) return 'link';
  if (/\/u\?t=/.test(added)) return 'unsubscribe';
  if (removed && !added) return 'removed';
  return 'changed';
}

function htmlEscapeUrl(url: string): string {
  return url.replace(/&/g, '&amp;');
}

function push(list: Segment[], text: string, change: number | null): void {
  const last = list[list.length - 1];
  if (last && last.change === change && change === null) last.text += text;
  else list.push({ text, change });
}

export type DiffPiece = (Segment & { gap?: undefined }) | { gap: number; text: string; change: null };

/** Lines of unchanged HTML kept around each change; the rest folds away so a 600-line newsletter shows its changes. */
export const CONTEXT_LINES = 3;

/**
 * Folds the unchanged runs of a pane, keeping CONTEXT_LINES lines on the side of each run that touches a change.
 * A fold keeps its hidden text so it can be opened again.
 */
export function foldUnchanged(segments: Segment[], context = CONTEXT_LINES): DiffPiece[] {
  const out: DiffPiece[] = [];
  segments.forEach((s, i) => {
    if (s.change !== null) {
      out.push(s);
      return;
    }
    // The first line of a run is the rest of the line a change sits on, the last the start of the next one.
    const lines = s.text.split('\n');
    const headCount = i > 0 ? context + 1 : 0;
    const tailCount = i < segments.length - 1 ? context + 1 : 0;
    const hidden = lines.slice(headCount, Math.max(headCount, lines.length - tailCount));
    // folding a single line saves nothing
    if (hidden.length <= 1) {
      out.push(s);
      return;
    }
    if (headCount > 0) out.push({ text: `${lines.slice(0, headCount).join('\n')}\n`, change: null });
    out.push({ gap: hidden.length, text: hidden.join('\n') + (tailCount > 0 ? '\n' : ''), change: null });
    if (tailCount > 0) out.push({ text: lines.slice(lines.length - tailCount).join('\n'), change: null });
  });
  return out;
}
