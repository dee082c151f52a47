/**
 * Topic selectors (Mercure §"Topic Selectors"): `*`, an exact string, or an RFC 6570 URI template (levels 1–4)
 * used as a pattern. A template is compiled once into an anchored RegExp that accepts exactly the strings some
 * assignment of its variables could expand to (strings, lists and associative arrays alike).
 */

/** Any topic; the reserved selector of the protocol. */
export const MATCH_ALL = '*';

/**
 * Compiled templates are kept; subscribers tend to share a few selectors, so this stays small in practice.
 * The cap keeps a client that subscribes with ever new selectors from growing it without bound.
 */
const MAX_CACHED_TEMPLATES = 10_000;

interface Operator {
  first: string;
  separator: string;
  named: boolean;
  /** What a named variable with an empty value expands to after its name (`;x` vs `?x=`). */
  ifEmpty: string;
  /** Reserved characters pass through unencoded (`+` and `#`). */
  reserved: boolean;
}

// RFC 6570 Appendix A.
const OPERATORS: Record<string, Operator> = {
  '': { first: '', separator: ',', named: false, ifEmpty: '', reserved: false },
  '+': { first: '', separator: ',', named: false, ifEmpty: '', reserved: true },
  '#': { first: '#', separator: ',', named: false, ifEmpty: '', reserved: true },
  '.': { first: '.', separator: '.', named: false, ifEmpty: '', reserved: false },
  '/': { first: '/', separator: '/', named: false, ifEmpty: '', reserved: false },
  ';': { first: ';', separator: ';', named: true, ifEmpty: '', reserved: false },
  '?': { first: '?', separator: '&', named: true, ifEmpty: '=', reserved: false },
  '&': { first: '&', separator: '&', named: true, ifEmpty: '=', reserved: false },
};

const PCT = '%[0-9A-Fa-f]{2}';
const UNRESERVED = `(?:[A-Za-z0-9\\-._~]|${PCT})`;
const UNRESERVED_OR_RESERVED = `(?:[A-Za-z0-9\\-._~:/?#\\[\\]@!$&'()*+,;=]|${PCT})`;
const VARNAME = /^(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:\.?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2}))*$/;

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The regular expression source for one variable's expansion (without the operator's first character). */
function variablePattern(op: Operator, spec: string): string | null {
  const explode = spec.endsWith('*');
  const [name, prefix] = (explode ? spec.slice(0, -1) : spec).split(':') as [string, string | undefined];
  if (!VARNAME.test(name)) return null;
  if (prefix !== undefined && (!/^[1-9][0-9]{0,3}$/.test(prefix) || explode)) return null;
  const char = op.reserved ? UNRESERVED_OR_RESERVED : UNRESERVED;
  const value = prefix === undefined ? `${char}*` : `${char}{0,${prefix}}`;
  const sep = escapeRegExp(op.separator);
  // A list joins with ',' unless exploded; an exploded list or map joins with the operator's separator,
  // and exploded map members carry their own key (`k=v`).
  const items = explode
    ? `${value}(?:=${value})?(?:${sep}${value}(?:=${value})?)*`
    : `${value}(?:,${value})*`;
  if (!op.named || explode) return items;
  const n = escapeRegExp(name);
  return op.ifEmpty === '' ? `${n}(?:=${items})?` : `${n}=${items}`;
}

/** One `{…}` expression: any ordered subset of its variables may be defined; undefined ones vanish. */
function expressionPattern(body: string): string | null {
  const opChar = /^[+#./;?&]/.test(body) ? body[0]! : '';
  // `=`, `,`, `!`, `@`, `|` are reserved for future operator extensions: such a template is not a valid one.
  if (/^[=,!@|]/.test(body)) return null;
  const op = OPERATORS[opChar]!;
  const specs = body.slice(opChar.length).split(',');
  const vars: string[] = [];
  for (const spec of specs) {
    const p = variablePattern(op, spec);
    if (p === null) return null;
    vars.push(`(?:${p})`);
  }
  const sep = escapeRegExp(op.separator);
  // Alternatives by first defined variable; each later one is optional and preceded by the separator.
  const alternatives = vars.map(
    (v, i) =>
      v +
      vars
        .slice(i + 1)
        .map((w) => `(?:${sep}${w})?`)
        .join(''),
  );
  return `(?:${escapeRegExp(op.first)}(?:${alternatives.join('|')}))?`;
}

/** Compiles a URI template into an anchored RegExp, or returns null when it is not a valid template. */
export function compileTemplate(template: string): RegExp | null {
  let source = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    const close = template.indexOf('}', i);
    if (open === -1) {
      if (close !== -1) return null;
      source += escapeRegExp(template.slice(i));
      break;
    }
    if (close !== -1 && close < open) return null;
    const end = template.indexOf('}', open);
    if (end === -1) return null;
    const body = template.slice(open + 1, end);
    if (body === '' || body.includes('{')) return null;
    const expr = expressionPattern(body);
    if (expr === null) return null;
    source += escapeRegExp(template.slice(i, open)) + expr;
    i = end + 1;
  }
  return new RegExp(`^${source}$`);
}

/** Decides whether topics match selectors, caching compiled templates. One per hub; no global state. */
export class TopicSelectorMatcher {
  private readonly templates = new Map<string, RegExp | null>();

  /** Mercure's matching steps: `*`, then exact equality, then the selector as a URI template. */
  matches(topic: string, selector: string): boolean {
    if (selector === MATCH_ALL || selector === topic) return true;
    if (!selector.includes('{')) return false;
    return this.compiled(selector)?.test(topic) ?? false;
  }

  /** True when at least one topic matches at least one selector. */
  matchesAny(topics: readonly string[], selectors: readonly string[]): boolean {
    for (const selector of selectors) {
      for (const topic of topics) if (this.matches(topic, selector)) return true;
    }
    return false;
  }

  private compiled(selector: string): RegExp | null {
    let re = this.templates.get(selector);
    if (re === undefined) {
      if (this.templates.size >= MAX_CACHED_TEMPLATES) this.templates.clear();
      re = compileTemplate(selector);
      this.templates.set(selector, re);
    }
    return re;
  }
}
