import {
  parse as parseCss,
  stringify as stringifyCss,
  type CssAtRuleAST,
  type CssRuleAST,
} from '@adobe/css-tools';
import { caniemail, rawData } from 'caniemail';
import { parseDocument, DomUtils, ElementType } from 'htmlparser2';
import type { HtmlCheckResponse, HtmlCheckResult, HtmlCheckWarning } from '../wire/types.js';
import { CheckRefused, TooLargeToCheck, assertNestingWithin } from './limits.js';

/** HTML checked at most; larger mails get "too large to check". */
export const MAX_CHECKED_HTML = 2 * 1024 * 1024;

/** Distinct CSS declarations and selectors (digits aside) checked at most; beyond, "too large to check". */
export const MAX_DISTINCT_CSS = 20_000;

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

/** An issue as caniemail reports it: a feature's title and, for what has one, where it was found. */
interface Found {
  title: string;
  position?: { start: { line: number; column: number } };
}
type Collect = (issues: FeatureIssues, firstLine: number, where: string) => void;

/**
 * The features caniemail finds in one declaration or selector depend on its text alone (digits aside: no CSS
 * feature's name holds one, and a unit or keyword matches the same whatever the number before it).
 */
const shape = (text: string) => text.replace(/\d+/g, '0').replace(/\s+/g, ' ');

// caniemail's own list of the rules whose kind is itself a feature (@media, @font-face…).
const AT_RULES = new Set(
  'charset custom-media document font-face host import keyframes keyframe media namespace page supports'.split(
    ' ',
  ),
);

/**
 * Checks the <style> blocks as caniemail would one by one, in time linear in their size: caniemail's cost is per
 * occurrence (each looked up for 32 clients), so every distinct declaration and selector is checked once, in one
 * stylesheet with one of them per line, and what it finds is reported at each of its occurrences.
 */
function checkStyleBlocks(
  blocks: { css: string; firstLine: number; where: string }[],
  collect: Collect,
): void {
  interface Use {
    key: string;
    line: number;
    column: number;
  }
  const uses: Use[] = [];
  const atRules = new Map<string, Set<string>>();
  const exemplars = new Map<string, CssAtRuleAST>();
  const lineOf = new Map<string, number>();
  const sheet: string[] = [];
  const declarationLines = new Set<number>();
  /** Adds a line for `key` unless it has one; true when it was added. */
  const distinct = (key: string, line: string) => {
    if (lineOf.has(key)) return false;
    lineOf.set(key, sheet.length + 1);
    sheet.push(line);
    if (sheet.length > MAX_DISTINCT_CSS)
      throw new CheckRefused(
        `too large to check: the <style> blocks hold more than ${MAX_DISTINCT_CSS} distinct declarations and selectors`,
      );
    return true;
  };
  for (const block of blocks) {
    let rules;
    try {
      rules = parseCss(block.css).stylesheet.rules;
    } catch {
      // CSS the parser cannot read: the clients cannot either; nothing to report from it.
      continue;
    }
    const at = (p: { start?: { line?: number; column?: number } } | undefined) => ({
      line: (p?.start?.line ?? 1) + block.firstLine - 1,
      column: p?.start?.column ?? 1,
    });
    for (const rule of rules) {
      if (AT_RULES.has(rule.type)) {
        const kinds = atRules.get(block.where) ?? new Set();
        atRules.set(block.where, kinds.add(rule.type));
        if (!exemplars.has(rule.type)) exemplars.set(rule.type, rule);
      }
      if (rule.type !== 'rule') continue;
      const { selectors = [], declarations = [], position } = rule as CssRuleAST;
      const selectorKey = `s ${shape(selectors.join(','))}`;
      distinct(selectorKey, `${selectors.map(shape).join(',')}{}`);
      uses.push({ key: selectorKey, ...at(position) });
      for (const d of declarations) {
        if (d.type !== 'declaration') continue;
        const key = `d ${d.property}:${shape(d.value)}`;
        if (distinct(key, `a{${d.property}:${shape(d.value)}}`)) declarationLines.add(sheet.length);
        uses.push({ key, ...at(d.position) });
      }
    }
  }
  if (sheet.length === 0 && atRules.size === 0) return;

  const titlesAt = titlesByLine(sheet, declarationLines);
  const titles = new Map<string, string[]>();
  for (const [key, line] of lineOf) titles.set(key, titlesAt.get(line) ?? []);
  const byTitle = new Map<string, Found[]>();
  for (const use of uses) {
    for (const title of titles.get(use.key)!) {
      const list = byTitle.get(title) ?? [];
      list.push({ title, position: { start: { line: use.line, column: use.column } } });
      byTitle.set(title, list);
    }
  }
  collect({ errors: byTitle, warnings: new Map() } as unknown as FeatureIssues, 1, 'css');
  const atRuleTitles = new Map<string, string[]>();
  for (const [kind, rule] of exemplars) atRuleTitles.set(kind, titlesOfAtRule(rule));
  for (const [where, kinds] of atRules) {
    const byKind = new Map<string, Found[]>();
    for (const kind of kinds)
      for (const title of atRuleTitles.get(kind)!)
        byKind.set(title, [...(byKind.get(title) ?? []), { title }]);
    collect({ errors: byKind, warnings: new Map() } as unknown as FeatureIssues, 1, where);
  }
}

/** One finding in caniemail's shape, at a line of the page. */
const oneIssue = (title: string, line: number) =>
  ({
    errors: new Map([[title, [{ title, position: { start: { line, column: 1 } } }]]]),
    warnings: new Map(),
  }) as unknown as FeatureIssues;

/** What caniemail reports for a <style> element with this start tag (its contents are checked as CSS apart). */
function titlesOfStyleTag(tag: string): string[] {
  try {
    // Inside an element: caniemail looks at <style> elements only below the top of the document. What it finds
    // on the wrapper (at column 1) is left out.
    const issues = caniemail({ clients: ['*'], html: `<div>${tag}</style></div>` }).issues;
    const titles = new Set<string>();
    for (const list of [...issues.errors.values(), ...issues.warnings.values()])
      for (const issue of list as Found[])
        if ((issue.position?.start.column ?? 1) > 1) titles.add(issue.title);
    return [...titles];
  } catch {
    return [];
  }
}

/** Lines of the stylesheet of distinct ones checked at once; a group that caniemail fails on is checked line by line. */
const GROUP_LINES = 500;

/**
 * The features caniemail finds on each line of `sheet` (1-based). A declaration's own start after its `a{`; the
 * selector's are left out. A line caniemail fails on (a feature it has no data for on some client) finds nothing.
 */
function titlesByLine(sheet: string[], declarationLines: Set<number>): Map<number, string[]> {
  const titlesAt = new Map<number, string[]>();
  const check = (from: number, to: number) => {
    const issues = caniemail({ clients: ['*'], css: sheet.slice(from, to).join('\n') }).issues;
    for (const list of [...issues.errors.values(), ...issues.warnings.values()]) {
      for (const issue of list as Found[]) {
        const start = issue.position?.start;
        if (!start) continue;
        const line = from + start.line;
        if (declarationLines.has(line) && start.column === 1) continue;
        const titles = titlesAt.get(line) ?? [];
        if (!titles.includes(issue.title)) titles.push(issue.title);
        titlesAt.set(line, titles);
      }
    }
  };
  for (let from = 0; from < sheet.length; from += GROUP_LINES) {
    const to = Math.min(sheet.length, from + GROUP_LINES);
    try {
      check(from, to);
    } catch {
      for (let line = from; line < to; line++) {
        try {
          check(line, line + 1);
        } catch {
          // caniemail lacks data for this one on some client: nothing to report from it.
        }
      }
    }
  }
  return titlesAt;
}

/** What caniemail reports for a kind of at-rule (`@media`…): checked on one of them, its contents left out. */
function titlesOfAtRule(rule: CssAtRuleAST): string[] {
  const bare = { ...rule, rules: [] } as CssAtRuleAST;
  try {
    const css = stringifyCss({ type: 'stylesheet', stylesheet: { rules: [bare] } } as Parameters<
      typeof stringifyCss
    >[0]);
    const issues = caniemail({ clients: ['*'], css }).issues;
    const titles = new Set<string>();
    for (const list of [...issues.errors.values(), ...issues.warnings.values()])
      for (const issue of list as Found[]) titles.add(issue.title);
    return [...titles];
  } catch {
    return [];
  }
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
  // caniemail numbers the lines of a <style> block from the block's start, so each block is read on its own and
  // its lines moved to where it sits; the rest of the page is checked with the blocks blanked out.
  // The <style> elements themselves are left out of the page's check too: caniemail's cost is per element, and a
  // page of thousands of them would cost thousands of lookups of the same tag; each distinct tag is checked once.
  let blanked = '';
  let last = 0;
  const lineAt = lineCounter(html);
  const blocks: { css: string; firstLine: number; where: string }[] = [];
  const tags = new Map<string, { line: number; where: string }[]>();
  // A <style> in a comment (Outlook's <!--[if mso]>) is no element; its CSS is checked all the same.
  const comments = html.matchAll(/<!--[\s\S]*?(?:-->|$)/g);
  let comment = comments.next();
  for (const m of html.matchAll(STYLE_BLOCK)) {
    const tag = m[1]!;
    const contentStart = m.index + tag.length;
    const css = m[2]!;
    while (!comment.done && comment.value.index + comment.value[0].length <= m.index)
      comment = comments.next();
    const commented = !comment.done && comment.value.index < m.index;
    if (!commented) {
      const uses = tags.get(tag) ?? [];
      uses.push({ line: lineAt(m.index), where: `tag@${m.index}` });
      tags.set(tag, uses);
    }
    blanked += html.slice(last, m.index) + (commented ? tag : tag.replace(/[^\n]/g, ' '));
    blanked += css.replace(/[^\n]/g, ' ');
    last = contentStart + css.length;
    if (css.trim()) blocks.push({ css, firstLine: lineAt(contentStart), where: `style@${m.index}` });
  }
  checkStyleBlocks(blocks, collect);
  for (const [tag, uses] of tags) {
    for (const title of titlesOfStyleTag(tag))
      for (const use of uses) collect(oneIssue(title, use.line), 1, use.where);
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
