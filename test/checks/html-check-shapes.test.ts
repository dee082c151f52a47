// html-check checks each distinct declaration, selector and <style> tag once and reports it at every occurrence; this
// compares its findings with caniemail's own, block by block as caniemail reads a page, on the corpus of real mails.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { caniemail } from 'caniemail';
import { describe, expect, it } from 'vitest';
import { checkHtml } from '../../src-main/checks/html-check.js';

const CORPUS = join(import.meta.dirname, '..', 'fixtures', 'html');
const STYLE_BLOCK = /(<style\b[^>]*>)([\s\S]*?)(?=<\/style\s*>|$)/gi;

/** Title → the lines caniemail finds it on, each <style> block checked on its own and the page without them. */
function reference(html: string): Map<string, number[]> {
  const found = new Map<string, Set<string>>();
  const lines = new Map<string, Set<number>>();
  const collect = (issues: ReturnType<typeof caniemail>['issues'], firstLine: number, where: string) => {
    for (const list of [...issues.errors.values(), ...issues.warnings.values()]) {
      for (const issue of list) {
        const start = issue.position?.start;
        const line = start && start.line + firstLine - 1;
        found.set(
          issue.title,
          (found.get(issue.title) ?? new Set()).add(start ? `${line}:${start.column}` : where),
        );
        if (line !== undefined) lines.set(issue.title, (lines.get(issue.title) ?? new Set()).add(line));
      }
    }
  };
  let blanked = '';
  let last = 0;
  for (const m of html.matchAll(STYLE_BLOCK)) {
    const contentStart = m.index + m[1]!.length;
    const css = m[2]!;
    blanked += html.slice(last, contentStart) + css.replace(/[^\n]/g, ' ');
    last = contentStart + css.length;
    if (!css.trim()) continue;
    const firstLine = html.slice(0, contentStart).split('\n').length;
    collect(caniemail({ clients: ['*'], css }).issues, firstLine, `style@${m.index}`);
  }
  collect(caniemail({ clients: ['*'], html: blanked + html.slice(last) }).issues, 1, 'html');
  return new Map([...found.keys()].map((t) => [t, [...(lines.get(t) ?? [])].sort((a, b) => a - b)]));
}

const files = readdirSync(CORPUS, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.html'))
  .map((f) => join(CORPUS, f));

describe('html-check against caniemail, block by block', () => {
  it('finds the same features on the same lines in every corpus page caniemail can check', () => {
    let compared = 0;
    for (const file of files) {
      const html = readFileSync(file, 'utf8');
      let expected: Map<string, number[]>;
      try {
        expected = reference(html);
      } catch {
        // caniemail fails on a block with a feature it has no data for; html-check reports the rest of it.
        continue;
      }
      const actual = new Map(checkHtml(html).Warnings.map((w) => [w.Title, w.Lines]));
      expect(new Map([...actual].sort()), file).toEqual(new Map([...expected].sort()));
      compared++;
    }
    expect(compared).toBeGreaterThan(20);
  });
});
