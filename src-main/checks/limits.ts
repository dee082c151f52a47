/**
 * What a check refuses to read, and how it says so. The checks run in a worker under a time limit (see
 * checks/runner.ts); these caps make the usual refusals quick and clear instead of a timeout.
 */

/** A check's input over its cap: answered 422 with the sizes, never attempted. */
export class CheckRefused extends Error {
  constructor(
    message: string,
    readonly statusCode = 422,
  ) {
    super(message);
    this.name = 'CheckRefused';
  }
}

const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

export class TooLargeToCheck extends CheckRefused {
  constructor(what: string, size: number, limit: number) {
    super(`too large to check: ${what} is ${mb(size)}, the limit is ${mb(limit)}`);
  }
}

/**
 * Elements nested deeper than this are not checked. Browsers stop nesting long before (Chromium's parser caps the
 * tree at 512 levels); the HTML parser's work grows with the square of the depth, and caniemail recurses per level.
 */
export const MAX_NESTING = 1024;

/** Elements that have no end tag, or whose end tag may be left out: they do not deepen the tree. */
const NOT_NESTING = new Set(
  'area base br col embed hr img input link meta source track wbr p li dt dd td th tr option optgroup tbody thead tfoot colgroup rb rt rtc rp'.split(
    ' ',
  ),
);

/**
 * Throws CheckRefused when the HTML nests elements deeper than MAX_NESTING. An estimate in one pass over the tags
 * (opened minus closed, leaving out elements that need no end tag), so it costs far less than the parse it guards.
 */
export function assertNestingWithin(html: string, limit = MAX_NESTING): void {
  let depth = 0;
  for (const m of html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9-]{0,30})\b[^<>]*?(\/?)>/g)) {
    const name = m[2]!.toLowerCase();
    if (NOT_NESTING.has(name)) continue;
    if (m[1]) depth = Math.max(0, depth - 1);
    else if (!m[3]) {
      depth++;
      if (depth > limit)
        throw new CheckRefused(`too deeply nested to check: more than ${limit} levels of elements`);
    }
  }
}
