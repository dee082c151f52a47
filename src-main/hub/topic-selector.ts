/**
 * Topic selectors (Mercure §"Topic Selectors"): `*`, an exact string, or an RFC 6570 URI template (levels 1–4)
 * used as a pattern. A template is compiled once into an automaton that accepts exactly the strings some
 * assignment of its variables could expand to (strings, lists and associative arrays alike).
 *
 * Why not a RegExp: selectors come from subscribers and topics partly from them too (subscription events
 * embed the selector), and the natural regular expressions of templates are ambiguous (`{a}{b}` is `x*x*`,
 * `{.list*}` is `(\.[x.]*)*`). A backtracking engine takes exponential time on them: one crafted selector
 * would freeze the process. The automaton is simulated state-set by state-set, so a match costs at most
 * topic length × template size, whatever the input.
 */

/** Any topic; the reserved selector of the protocol. */
export const MATCH_ALL = '*';

/**
 * Compiled templates are kept; subscribers tend to share a few selectors, so this stays small in practice.
 * The cap keeps a client that subscribes with ever new selectors from growing it without bound.
 */
const MAX_CACHED_TEMPLATES = 4_096;

/** Longest template compiled; longer selectors only match themselves (an automaton per byte would be waste). */
const MAX_TEMPLATE_LENGTH = 4096;

/**
 * A prefix modifier (`{var:3}`) is unrolled into that many copies of a character matcher. RFC 6570 allows up
 * to 9999; beyond this many the prefix is matched as if unbounded, keeping each automaton small.
 */
const MAX_UNROLLED_PREFIX = 256;

/**
 * Largest automaton built for one selector. Real selectors need a few hundred states; a selector needing more
 * only matches itself. A match costs at most topic length × states, so this bounds one selector's cost per
 * topic character whatever a subscriber sends.
 */
const MAX_STATES = 4_096;

class TooComplex extends Error {}

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

const VARNAME = /^(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:\.?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2}))*$/;

const charSet = (chars: string): Uint8Array => {
  const set = new Uint8Array(128);
  for (const c of chars) set[c.charCodeAt(0)] = 1;
  return set;
};
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UNRESERVED = charSet(`${ALNUM}-._~`);
const UNRESERVED_OR_RESERVED = charSet(`${ALNUM}-._~:/?#[]@!$&'()*+,;=`);
const HEX = charSet('0123456789ABCDEFabcdef');

// ---- pattern tree ----

type Pattern =
  | { t: 'lit'; s: string }
  | { t: 'set'; set: Uint8Array }
  | { t: 'seq'; items: Pattern[] }
  | { t: 'alt'; items: Pattern[] }
  | { t: 'opt'; item: Pattern }
  | { t: 'star'; item: Pattern }
  /** Any ordered, non-empty subset of `items`, joined by `sep` (the variables of one expression). */
  | { t: 'subset'; items: Pattern[]; sep: string };

const lit = (s: string): Pattern => ({ t: 'lit', s });
const seq = (...items: Pattern[]): Pattern => ({ t: 'seq', items });
const alt = (...items: Pattern[]): Pattern => ({ t: 'alt', items });
const opt = (item: Pattern): Pattern => ({ t: 'opt', item });
const star = (item: Pattern): Pattern => ({ t: 'star', item });

/** One character of a value: an allowed character or a percent-encoded triplet. */
const unit = (allowed: Uint8Array): Pattern =>
  alt({ t: 'set', set: allowed }, seq(lit('%'), { t: 'set', set: HEX }, { t: 'set', set: HEX }));

/** A value of at most `max` characters: nested options, so the automaton stays linear in `max`. */
function bounded(item: Pattern, max: number): Pattern {
  let p: Pattern = opt(item);
  for (let i = 1; i < max; i++) p = opt(seq(item, p));
  return p;
}

/** One variable's expansion (without the operator's first character). */
function variablePattern(op: Operator, spec: string): Pattern | null {
  const explode = spec.endsWith('*');
  const [name, prefix] = (explode ? spec.slice(0, -1) : spec).split(':') as [string, string | undefined];
  if (!VARNAME.test(name)) return null;
  if (prefix !== undefined && (!/^[1-9][0-9]{0,3}$/.test(prefix) || explode)) return null;
  const char = unit(op.reserved ? UNRESERVED_OR_RESERVED : UNRESERVED);
  const max = prefix === undefined ? Infinity : Number(prefix);
  const value = () => (max <= MAX_UNROLLED_PREFIX ? bounded(char, max) : star(char));
  // A list joins with ',' unless exploded; an exploded list or map joins with the operator's separator,
  // and exploded map members carry their own key (`k=v`).
  const member = () => seq(value(), opt(seq(lit('='), value())));
  const items = explode
    ? seq(member(), star(seq(lit(op.separator), member())))
    : seq(value(), star(seq(lit(','), value())));
  if (!op.named || explode) return items;
  return op.ifEmpty === '' ? seq(lit(name), opt(seq(lit('='), items))) : seq(lit(name), lit('='), items);
}

/** One `{…}` expression: any ordered subset of its variables may be defined; undefined ones vanish. */
function expressionPattern(body: string): Pattern | null {
  // `=`, `,`, `!`, `@`, `|` are reserved for future operator extensions: such a template is not a valid one.
  if (/^[=,!@|]/.test(body)) return null;
  const opChar = /^[+#./;?&]/.test(body) ? body[0]! : '';
  const op = OPERATORS[opChar]!;
  const vars: Pattern[] = [];
  for (const spec of body.slice(opChar.length).split(',')) {
    const p = variablePattern(op, spec);
    if (p === null) return null;
    vars.push(p);
  }
  return opt(seq(lit(op.first), { t: 'subset', items: vars, sep: op.separator }));
}

function parseTemplate(template: string): Pattern | null {
  const parts: Pattern[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    const close = template.indexOf('}', i);
    if (open === -1) {
      if (close !== -1) return null;
      parts.push(lit(template.slice(i)));
      break;
    }
    if (close !== -1 && close < open) return null;
    const end = template.indexOf('}', open);
    if (end === -1) return null;
    const body = template.slice(open + 1, end);
    if (body === '' || body.includes('{')) return null;
    const expr = expressionPattern(body);
    if (expr === null) return null;
    parts.push(lit(template.slice(i, open)), expr);
    i = end + 1;
  }
  return seq(...parts);
}

// ---- automaton (Thompson construction) ----

const SPLIT = -1;
const MATCH = -2;
const CHAR = -3;
const SET = -4;

/**
 * States in parallel arrays: `kind` is SPLIT (two ε-edges), MATCH, CHAR (`code` must be the character code)
 * or SET (`sets[i]` must contain it); `out1`/`out2` are successors (-1 = not yet patched).
 */
class Automaton {
  kind: number[] = [];
  code: number[] = [];
  sets: (Uint8Array | undefined)[] = [];
  out1: number[] = [];
  out2: number[] = [];

  add(kind: number, code = 0, set?: Uint8Array): number {
    if (this.kind.length >= MAX_STATES) throw new TooComplex();
    this.kind.push(kind);
    this.code.push(code);
    this.sets.push(set);
    this.out1.push(-1);
    this.out2.push(-1);
    return this.kind.length - 1;
  }
}

/** A fragment: its start state and the dangling edges (state, which edge) to connect to what follows. */
interface Fragment {
  start: number;
  holes: [number, 1 | 2][];
}

function build(a: Automaton, p: Pattern): Fragment | null {
  switch (p.t) {
    case 'lit': {
      if (p.s === '') return null;
      let first: Fragment | null = null;
      let prev: number | undefined;
      for (const ch of p.s) {
        const s = a.add(CHAR, ch.codePointAt(0)!);
        if (prev === undefined) first = { start: s, holes: [] };
        else a.out1[prev] = s;
        prev = s;
      }
      first!.holes.push([prev!, 1]);
      return first;
    }
    case 'set': {
      const s = a.add(SET, 0, p.set);
      return { start: s, holes: [[s, 1]] };
    }
    case 'seq': {
      let whole: Fragment | null = null;
      for (const item of p.items) {
        const f = build(a, item);
        if (!f) continue;
        if (!whole) whole = f;
        else {
          patch(a, whole.holes, f.start);
          whole = { start: whole.start, holes: f.holes };
        }
      }
      return whole;
    }
    case 'alt': {
      const frags = p.items.map((item) => build(a, item));
      let whole: Fragment | null = null;
      for (const f of frags) {
        if (!f) continue;
        if (!whole) whole = f;
        else {
          const s = a.add(SPLIT);
          a.out1[s] = whole.start;
          a.out2[s] = f.start;
          whole = { start: s, holes: [...whole.holes, ...f.holes] };
        }
      }
      // An empty alternative makes the whole choice optional.
      if (whole && frags.includes(null)) {
        const s = a.add(SPLIT);
        a.out1[s] = whole.start;
        whole = { start: s, holes: [...whole.holes, [s, 2]] };
      }
      return whole;
    }
    case 'opt': {
      const f = build(a, p.item);
      if (!f) return null;
      const s = a.add(SPLIT);
      a.out1[s] = f.start;
      return { start: s, holes: [...f.holes, [s, 2]] };
    }
    case 'subset':
      return buildSubset(a, p.items, p.sep);
    case 'star': {
      const f = build(a, p.item);
      if (!f) return null;
      const s = a.add(SPLIT);
      a.out1[s] = f.start;
      patch(a, f.holes, s);
      return { start: s, holes: [[s, 2]] };
    }
  }
}

/**
 * An ordered subset, built in linear size: a chain of optional `sep item` links shared by every choice of first
 * item (written out as alternatives, each choice would repeat the rest of the chain: quadratic in the variables).
 */
function buildSubset(a: Automaton, items: Pattern[], sep: string): Fragment | null {
  const n = items.length;
  // links[j]: optionally `sep item[j]`, then links[j + 1]; the last link's exits leave the subset.
  const links = items.map(() => a.add(SPLIT));
  const exits: [number, 1 | 2][] = [];
  const to = (j: number, holes: [number, 1 | 2][]) => {
    if (j < n) patch(a, holes, links[j]!);
    else exits.push(...holes);
  };
  for (let j = 0; j < n; j++) {
    const link = build(a, seq(lit(sep), items[j]!))!;
    a.out1[links[j]!] = link.start;
    to(j + 1, link.holes);
    to(j + 1, [[links[j]!, 2]]);
  }
  let entry: Fragment | null = null;
  for (let i = 0; i < n; i++) {
    const first = build(a, items[i]!);
    if (!first) continue;
    to(i + 1, first.holes);
    if (!entry) entry = { start: first.start, holes: [] };
    else {
      const s = a.add(SPLIT);
      a.out1[s] = entry.start;
      a.out2[s] = first.start;
      entry = { start: s, holes: [] };
    }
  }
  return entry ? { start: entry.start, holes: exits } : null;
}

function patch(a: Automaton, holes: [number, 1 | 2][], to: number): void {
  for (const [state, edge] of holes) (edge === 1 ? a.out1 : a.out2)[state] = to;
}

/**
 * Sets of automaton states remembered per matcher. Each is a state of a deterministic automaton built on demand
 * (as RE2 does): a topic character already seen from a set costs one lookup instead of a walk over the set.
 * When a matcher has built this many, it forgets them and starts again, so memory stays bounded per selector.
 */
const MAX_CACHED_SETS = 64;

/** One remembered state set: its states, whether it accepts, and the set each character leads to. */
interface StateSet {
  states: number[];
  accepts: boolean;
  next: Map<number, StateSet | null>;
}

/** A compiled template: `test(topic)` in time linear in the topic's length. */
export class TemplateMatcher {
  private readonly a: Automaton;
  private readonly start: number;
  // Reused between calls: the generation number marks which states are in the set being built.
  private readonly mark: Int32Array;
  private generation = 0;
  private sets = new Map<string, StateSet>();
  private initial: StateSet;
  private stale = false;
  /** Automaton states walked by all matches so far: the measure of a match's work, for tests and benchmarks. */
  visited = 0;

  constructor(pattern: Pattern) {
    this.a = new Automaton();
    const f = build(this.a, pattern);
    const match = this.a.add(MATCH);
    if (f) patch(this.a, f.holes, match);
    this.start = f ? f.start : match;
    this.mark = new Int32Array(this.a.kind.length);
    this.initial = this.intern(this.closure([this.start]));
  }

  /** States of the automaton: what one topic character may cost at most. */
  get size(): number {
    return this.a.kind.length;
  }

  test(topic: string): boolean {
    if (this.stale) {
      this.stale = false;
      this.sets = new Map();
      this.initial = this.intern(this.closure([this.start]));
    }
    let current = this.initial;
    for (let i = 0; i < topic.length; i++) {
      const c = topic.codePointAt(i)!;
      if (c > 0xffff) i++;
      let next = current.next.get(c);
      if (next === undefined) {
        next = this.step(current, c);
        current.next.set(c, next);
      }
      if (next === null) return false;
      current = next;
    }
    return current.accepts;
  }

  /** The set `c` leads to from `from`, or null when no state accepts `c`. */
  private step(from: StateSet, c: number): StateSet | null {
    const { kind, code, sets, out1 } = this.a;
    const targets: number[] = [];
    for (const st of from.states) {
      const k = kind[st];
      if ((k === CHAR && code[st] === c) || (k === SET && c < 128 && sets[st]![c] === 1))
        targets.push(out1[st]!);
    }
    if (targets.length === 0) return null;
    return this.intern(this.closure(targets));
  }

  /** The states reachable from `from` through ε-edges, each once, in a canonical order. */
  private closure(from: number[]): number[] {
    const { kind, out1, out2 } = this.a;
    const list: number[] = [];
    const stack = [...from].reverse();
    this.generation++;
    while (stack.length) {
      const st = stack.pop()!;
      if (this.mark[st] === this.generation) continue;
      this.mark[st] = this.generation;
      this.visited++;
      if (kind[st] === SPLIT) stack.push(out2[st]!, out1[st]!);
      else list.push(st);
    }
    return list.sort((x, y) => x - y);
  }

  private intern(states: number[]): StateSet {
    const key = states.join(',');
    let set = this.sets.get(key);
    if (set) return set;
    // Full: the next match starts from scratch; the one under way finishes with what it has.
    if (this.sets.size >= MAX_CACHED_SETS) this.stale = true;
    set = { states, accepts: states.some((st) => this.a.kind[st] === MATCH), next: new Map() };
    this.sets.set(key, set);
    return set;
  }
}

/** Compiles a URI template into a matcher, or returns null when it is not a valid template. */
export function compileTemplate(template: string): TemplateMatcher | null {
  if (template.length > MAX_TEMPLATE_LENGTH) return null;
  const pattern = parseTemplate(template);
  if (!pattern) return null;
  try {
    return new TemplateMatcher(pattern);
  } catch (err) {
    if (err instanceof TooComplex) return null;
    throw err;
  }
}

/** Decides whether topics match selectors, caching compiled templates. One per hub; no global state. */
export class TopicSelectorMatcher {
  private readonly templates = new Map<string, TemplateMatcher | null>();

  /** Mercure's matching steps: `*`, then exact equality, then the selector as a URI template. */
  matches(topic: string, selector: string): boolean {
    if (selector === MATCH_ALL || selector === topic) return true;
    if (!selector.includes('{')) return false;
    return this.compiled(selector)?.test(topic) ?? false;
  }

  /**
   * What matching a topic against `selector` may cost per topic character: the automaton's states for a template,
   * 1 for `*`, an exact topic or a template that only matches itself.
   */
  cost(selector: string): number {
    if (selector === MATCH_ALL || !selector.includes('{')) return 1;
    return this.compiled(selector)?.size ?? 1;
  }

  /**
   * Compiles the templates among `selectors` not compiled yet, one per turn of the event loop: a subscription may
   * bring 32 costly templates, and compiling them in one turn would hold every other request and SMTP session.
   * Afterwards `cost` and `matches` find them compiled. Stops once they need more than `room()` automaton states
   * (asked when this subscription's turn comes).
   */
  prepare(selectors: readonly string[], room: () => number = () => Infinity): Promise<void> {
    // One subscription at a time: each sees the room the ones before it left once they took their budget.
    const turn = this.queue.then(() => this.compileWithin(selectors, room()));
    this.queue = turn.catch(() => {});
    return turn;
  }

  private queue: Promise<void> = Promise.resolve();

  private async compileWithin(selectors: readonly string[], room: number): Promise<void> {
    let states = 0;
    for (const selector of new Set(selectors)) {
      if (selector === MATCH_ALL || !selector.includes('{')) continue;
      // Past the client's room the subscription is refused: what is left need not be compiled.
      if (states > room) return;
      if (!this.templates.has(selector)) await new Promise((resolve) => setImmediate(resolve));
      states += this.compiled(selector)?.size ?? 1;
    }
  }

  /** True when at least one topic matches at least one selector. */
  matchesAny(topics: readonly string[], selectors: readonly string[]): boolean {
    for (const selector of selectors) {
      for (const topic of topics) if (this.matches(topic, selector)) return true;
    }
    return false;
  }

  private compiled(selector: string): TemplateMatcher | null {
    let matcher = this.templates.get(selector);
    if (matcher === undefined) {
      if (this.templates.size >= MAX_CACHED_TEMPLATES) this.templates.clear();
      matcher = compileTemplate(selector);
      this.templates.set(selector, matcher);
    }
    return matcher;
  }
}
