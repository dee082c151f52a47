import { caniemail, rawData } from 'caniemail';
import { parseDocument, DomUtils, ElementType } from 'htmlparser2';
import type { HtmlCheckResponse, HtmlCheckResult, HtmlCheckWarning } from '../wire/types.js';
import { TooLargeToCheck, assertNestingWithin } from './limits.js';

/** HTML checked at most; larger mails get "too large to check". */
export const MAX_CHECKED_HTML = 2 * 1024 * 1024;

type Stats = Record<string, Record<string, Record<string, string>>>;
interface NiceNames {
  family: Record<string, string>;
  platform: Record<string, string>;
}
const niceNames = (rawData as unknown as { nicenames: NiceNames }).nicenames;
const features = new Map(rawData.data.map((f) => [f.title, f]));

let platforms: Record<string, string[]> | undefined;
/** Platform → the client families tested on it (the UI's filter), as Mailpit lists them. */
function allPlatforms(): Record<string, string[]> {
  if (platforms) return platforms;
  const out: Record<string, Set<string>> = {};
  for (const feature of rawData.data) {
    for (const [family, byPlatform] of Object.entries(feature.stats as unknown as Stats)) {
      for (const platform of Object.keys(byPlatform))
        (out[platform] ??= new Set()).add(niceNames.family[family] ?? family);
    }
  }
  platforms = Object.fromEntries(Object.entries(out).map(([p, set]) => [p, [...set].sort()]));
  return platforms;
}

/** Every client version caniemail.com tested, with its support ("y", "n", "a #1", "u"…). */
function resultsOf(stats: Stats): HtmlCheckResult[] {
  const results: HtmlCheckResult[] = [];
  for (const [family, byPlatform] of Object.entries(stats)) {
    for (const [platform, versions] of Object.entries(byPlatform)) {
      for (const [version, support] of Object.entries(versions)) {
        const note = /#(\d+)\s*$/.exec(support);
        results.push({
          Family: family,
          Name: `${niceNames.family[family] ?? family} ${niceNames.platform[platform] ?? platform} (${version})`,
          NoteNumber: support.startsWith('y') || support.startsWith('n') ? '' : (note?.[1] ?? ''),
          Platform: platform,
          Support: support === 'y' ? 'yes' : support === 'n' ? 'no' : 'partial',
          Version: version,
        });
      }
    }
  }
  return results;
}

/** The elements Mailpit counts as the document's nodes: the body's, or all but html/head/meta in a full page. */
function countNodes(html: string): number {
  const document = parseDocument(html);
  const full = /<\/body>/i.test(html);
  const body = full ? document : (DomUtils.findOne((e) => e.name === 'body', document.children) ?? document);
  return DomUtils.findAll(
    (e) => e.type === ElementType.Script || !full || !['html', 'head', 'meta'].includes(e.name),
    body.children,
  ).length;
}

type FeatureIssues = ReturnType<typeof caniemail>['issues'];

// An unclosed block runs to the end, as in a browser; matching it there also keeps the scan to one pass.
const STYLE_BLOCK = /(<style\b[^>]*>)([\s\S]*?)(?=<\/style\s*>|$)/gi;

/** The 1-based lines of increasing offsets, counted on from the last one asked: one pass over the text in all. */
function lineCounter(text: string): (offset: number) => number {
  let line = 1;
  let at = 0;
  return (offset) => {
    for (let i = text.indexOf('\n', at); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
      line++;
      at = i + 1;
    }
    return line;
  };
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * Which HTML and CSS features the mail uses that some email clients do not (fully) support, with caniemail.com's
 * per-client results and Mailpit's scores: per feature the share of tested client versions supporting it, and a
 * total weighted by how often the feature occurs among the document's nodes.
 */
export function checkHtml(html: string): HtmlCheckResponse {
  if (html.length > MAX_CHECKED_HTML) throw new TooLargeToCheck('the HTML', html.length, MAX_CHECKED_HTML);
  assertNestingWithin(html);
  const found = new Map<string, Map<string, number | undefined>>();
  const collect = (issues: FeatureIssues, firstLine: number, where: string) => {
    for (const list of [...issues.errors.values(), ...issues.warnings.values()]) {
      for (const issue of list) {
        const start = issue.position?.start;
        const line = start && start.line + firstLine - 1;
        const at = found.get(issue.title) ?? new Map<string, number | undefined>();
        at.set(start ? `${line}:${start.column}` : where, line);
        found.set(issue.title, at);
      }
    }
  };
  // caniemail numbers the lines of a <style> block from the block's start, so each block is checked on its own
  // and its lines moved to where it sits; the rest of the page is checked with the blocks blanked out.
  let blanked = '';
  let last = 0;
  const lineAt = lineCounter(html);
  for (const m of html.matchAll(STYLE_BLOCK)) {
    const contentStart = m.index + m[1]!.length;
    const css = m[2]!;
    blanked += html.slice(last, contentStart) + css.replace(/[^\n]/g, ' ');
    last = contentStart + css.length;
    if (!css.trim()) continue;
    try {
      collect(caniemail({ clients: ['*'], css }).issues, lineAt(contentStart), `style@${m.index}`);
    } catch {
      // CSS the parser cannot read: the clients cannot either; nothing to report from it.
    }
  }
  blanked += html.slice(last);
  collect(caniemail({ clients: ['*'], html: blanked }).issues, 1, 'html');

  const nodes = Math.max(1, countNodes(html));
  const warnings: HtmlCheckWarning[] = [];
  for (const [title, at] of found) {
    const feature = features.get(title);
    if (!feature) continue;
    const results = resultsOf(feature.stats as unknown as Stats);
    const share = (s: HtmlCheckResult['Support']) =>
      results.length ? (results.filter((r) => r.Support === s).length / results.length) * 100 : 0;
    warnings.push({
      Category: feature.category,
      Description: feature.description ?? '',
      Keywords: feature.keywords ?? '',
      NotesByNumber: feature.notes_by_num ?? {},
      Results: results,
      Score: {
        Found: at.size,
        Partial: round(share('partial')),
        Supported: round(share('yes')),
        Unsupported: round(share('no')),
      },
      Slug: feature.slug,
      Tags: (feature as { tags?: string[] }).tags ?? [],
      Title: feature.title,
      URL: feature.url,
      Lines: [...new Set([...at.values()].filter((l): l is number => l !== undefined))].sort((a, b) => a - b),
    });
  }

  // As Mailpit: the worst weighted feature sets the total (a mail is as compatible as its least supported part).
  const weight = (w: HtmlCheckWarning, score: number) => (score * Math.min(w.Score.Found, nodes)) / nodes;
  const partial = Math.max(0, ...warnings.map((w) => weight(w, w.Score.Partial)));
  const unsupported = Math.max(0, ...warnings.map((w) => weight(w, w.Score.Unsupported)));
  warnings.sort(
    (a, b) =>
      weight(b, b.Score.Unsupported + b.Score.Partial) - weight(a, a.Score.Unsupported + a.Score.Partial),
  );
  return {
    Platforms: allPlatforms(),
    Total: {
      Nodes: nodes,
      Partial: round(partial),
      Supported: round(100 - partial - unsupported),
      Tests: rawData.data.filter((f) => f.category === 'html' || f.category === 'css').length,
      Unsupported: round(unsupported),
    },
    Warnings: warnings,
  };
}
