// Finds what does not fit its box on the page shown: an element or a run of text beyond the window's edge, beyond
// the box that clips it, or cut by a box that neither scrolls nor ends the text with an ellipsis. Content inside a
// box that scrolls (overflow auto/scroll) may extend past it: that box's scrollbar is the visible edge.
import type { Page } from 'playwright-core';

// The checker runs in the page; the Node program that compiles this file has no DOM types, so the few names it
// uses are declared loosely here (the DOM lib would clash with Node's own `performance` and `fetch` types).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const getComputedStyle: (el: any) => any;
declare const NodeFilter: { SHOW_TEXT: number };
type Element = any;
type CSSStyleDeclaration = any;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Sub-pixel rounding and borders; a real overflow is wider than this. */
const SLACK_PX = 1.5;

/** One line per misfit: which element, where, and by how much. */
export async function outsideTheirBox(page: Page): Promise<string[]> {
  return page.evaluate((slack) => {
    const problems: string[] = [];
    const vw = document.documentElement.clientWidth;
    const describe = (el: Element): string => {
      const id = el.getAttribute('data-testid');
      const cls =
        typeof el.className === 'string' && el.className
          ? `.${el.className.trim().split(/\s+/).join('.')}`
          : '';
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
      return `<${el.tagName.toLowerCase()}${id ? `[data-testid=${id}]` : ''}${cls}> "${text}"`;
    };
    const hidden = (el: Element): boolean => {
      const s = getComputedStyle(el);
      return s.visibility === 'hidden' || s.display === 'none' || s.opacity === '0';
    };
    // Screen-reader-only text is clipped to one pixel on purpose.
    const srOnly = (el: Element): boolean => {
      const r = el.getBoundingClientRect();
      return r.width <= 1 || r.height <= 1;
    };

    if (document.documentElement.scrollWidth > vw + slack)
      problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px for ${vw} px`);

    /** The nearest ancestor that clips horizontally, and whether it scrolls. */
    const clipOf = (el: Element): { box: Element; scrolls: boolean; ellipsis: boolean } | null => {
      for (let a = el.parentElement; a; a = a.parentElement) {
        if (a === document.body || a === document.documentElement) return null;
        const s = getComputedStyle(a);
        if (s.overflowX !== 'visible') {
          return {
            box: a,
            scrolls: s.overflowX === 'auto' || s.overflowX === 'scroll',
            ellipsis: s.textOverflow === 'ellipsis' && !/flex|grid/.test(s.display),
          };
        }
      }
      return null;
    };

    // text-overflow draws its ellipsis only in a block container; a flex or grid box just cuts.
    const ellipsisWorks = (s: CSSStyleDeclaration) =>
      s.textOverflow === 'ellipsis' && !/flex|grid/.test(s.display);

    const all: Element[] = Array.from(document.body.querySelectorAll('*'));
    for (const el of all) {
      if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
      if (el.closest('[aria-hidden="true"]')) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || hidden(el) || srOnly(el)) continue;
      const s = getComputedStyle(el);
      if (s.position === 'fixed' && (r.right <= 0 || r.left >= vw)) continue;

      // A box that cuts its own content without scrolling and without an ellipsis hides text from the reader.
      if ((s.overflowX === 'hidden' || s.overflowX === 'clip') && el.scrollWidth > el.clientWidth + slack) {
        if (!ellipsisWorks(s))
          problems.push(`${describe(el)} cuts its content: ${el.scrollWidth} px in ${el.clientWidth} px`);
        else if (!el.closest('[title]'))
          problems.push(`${describe(el)} ends in an ellipsis but has no tooltip with the whole text`);
      }

      // A pane that scrolls both ways hides columns off to its side, with the scrollbar at its far bottom: wide
      // content scrolls in a box of its own (a table's wrapper, a code block) or wraps.
      const ownBox =
        el.matches('pre, textarea, table') ||
        (el.children.length === 1 && el.firstElementChild!.matches('table, pre'));
      const scrollsBothWays = /auto|scroll/.test(s.overflowX) && /auto|scroll/.test(s.overflowY) && !ownBox;
      if (scrollsBothWays && el.scrollWidth > el.clientWidth + slack)
        problems.push(`${describe(el)} scrolls sideways: ${el.scrollWidth} px in ${el.clientWidth} px`);

      const clip = clipOf(el);
      if (!clip) {
        if (r.left < -slack || r.right > vw + slack)
          problems.push(
            `${describe(el)} is outside the window: ${Math.round(r.left)}–${Math.round(r.right)} of ${vw} px`,
          );
        continue;
      }
      if (clip.scrolls) continue;
      const c = clip.box.getBoundingClientRect();
      if (r.left < c.left - slack || r.right > c.right + slack) {
        if (clip.ellipsis && s.display.startsWith('inline')) continue;
        problems.push(
          `${describe(el)} is cut by ${describe(clip.box)}: ${Math.round(r.left)}–${Math.round(r.right)} in ${Math.round(c.left)}–${Math.round(c.right)}`,
        );
      }
    }

    // Text runs: a word that sticks out of a box that clips it is cut mid-word unless the box ends in an ellipsis.
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const parent = n.parentElement;
      if (!parent || !n.textContent?.trim()) continue;
      if (parent.closest('script, style, noscript, option, [aria-hidden="true"]')) continue;
      if (hidden(parent) || srOnly(parent)) continue;
      range.selectNodeContents(n);
      const r = range.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const ps = getComputedStyle(parent);
      const clip =
        ps.overflowX !== 'visible'
          ? {
              box: parent,
              scrolls: ps.overflowX === 'auto' || ps.overflowX === 'scroll',
              ellipsis: ellipsisWorks(ps),
            }
          : clipOf(parent);
      if (!clip) {
        if (r.left < -slack || r.right > vw + slack)
          problems.push(
            `text "${n.textContent.trim().slice(0, 40)}" in ${describe(parent)} is outside the window`,
          );
        continue;
      }
      if (clip.scrolls || clip.ellipsis) continue;
      const c = clip.box.getBoundingClientRect();
      if (r.left < c.left - slack || r.right > c.right + slack)
        problems.push(
          `text "${n.textContent.trim().slice(0, 40)}" is cut by ${describe(clip.box)}: ${Math.round(r.left)}–${Math.round(r.right)} in ${Math.round(c.left)}–${Math.round(c.right)}`,
        );
    }
    return [...new Set(problems)];
  }, SLACK_PX);
}
