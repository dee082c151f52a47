import { createHash } from 'node:crypto';
import { MATCH_ALL } from './topic-selector.js';

/**
 * What one client may hold open at once. Exact topics and `*` cost a string comparison per update; a URI template
 * costs up to its automaton's states per topic character, so templates are counted by their states, each distinct
 * one once, across all of a client's streams: a 32-selector cap per subscription alone lets ten subscriptions make
 * every update (and every subscription event) ten times as slow.
 */
export interface ClientLimits {
  /** Open streams per JWT. */
  connectionsPerToken: number;
  /** Open streams per client address (every local program shares 127.0.0.1, so this one is wide). */
  connectionsPerAddress: number;
  /** Automaton states of the distinct URI templates across the open streams of one JWT. */
  templateStatesPerToken: number;
  /** The same across the open streams of one address. */
  templateStatesPerAddress: number;
  /** The same across the whole hub: bounds the matching work of each update. */
  templateStatesOverall: number;
}

export const DEFAULT_CLIENT_LIMITS: ClientLimits = {
  connectionsPerToken: 10_000,
  connectionsPerAddress: 20_000,
  templateStatesPerToken: 32_768,
  templateStatesPerAddress: 65_536,
  templateStatesOverall: 131_072,
};

/** A refusal the subscribe handler answers with 429 and this text. */
export class ClientLimitError extends Error {}

const keyOf = (token: string) => createHash('sha256').update(token).digest('base64url');

const isTemplate = (selector: string) => selector !== MATCH_ALL && selector.includes('{');

/** Counts of one key (a token, an address, the hub): open streams, how many use each template, their states. */
class Holder {
  connections = 0;
  states = 0;
  readonly templates = new Map<string, number>();

  /** States this holder would add by taking `templates`. */
  extra(templates: readonly [string, number][]): number {
    return templates.reduce((sum, [t, cost]) => sum + (this.templates.has(t) ? 0 : cost), 0);
  }

  take(templates: readonly [string, number][], by: 1 | -1): void {
    this.connections += by;
    for (const [t, cost] of templates) {
      const n = (this.templates.get(t) ?? 0) + by;
      if (n === 0) {
        this.templates.delete(t);
        this.states -= cost;
      } else {
        if (n === 1 && by === 1) this.states += cost;
        this.templates.set(t, n);
      }
    }
  }
}

/** Keeps the counts of the hub's open streams per token and per address, and refuses what would exceed them. */
export class ClientBudget {
  readonly #limits: ClientLimits;
  readonly #byToken = new Map<string, Holder>();
  readonly #byAddress = new Map<string, Holder>();
  readonly #overall = new Holder();

  constructor(limits: Partial<ClientLimits> = {}) {
    this.#limits = { ...DEFAULT_CLIENT_LIMITS, ...limits };
  }

  /**
   * Automaton states of new templates a stream of this client may still bring: what to compile at most before
   * `acquire` decides (templates the client already holds cost nothing there, so this errs on the small side).
   */
  room(token: string | undefined, address: string): number {
    const l = this.#limits;
    const byToken = token === undefined ? undefined : this.#byToken.get(keyOf(token));
    return Math.min(
      token === undefined ? Infinity : l.templateStatesPerToken - (byToken?.states ?? 0),
      l.templateStatesPerAddress - (this.#byAddress.get(address)?.states ?? 0),
      l.templateStatesOverall - this.#overall.states,
    );
  }

  /**
   * Takes what a new stream needs, or throws a ClientLimitError naming the limit; `cost` gives a template's states
   * (compiling it once, for the hub's cache). Returns the release, to be called once when the stream closes.
   */
  acquire(
    token: string | undefined,
    address: string,
    selectors: readonly string[],
    cost: (template: string) => number,
  ): () => void {
    const tokenKey = token === undefined ? undefined : keyOf(token);
    const byToken = tokenKey === undefined ? undefined : (this.#byToken.get(tokenKey) ?? new Holder());
    const byAddress = this.#byAddress.get(address) ?? new Holder();
    const l = this.#limits;
    if (byToken && byToken.connections >= l.connectionsPerToken)
      throw new ClientLimitError(
        `this JWT already has ${byToken.connections} open streams (at most ${l.connectionsPerToken})`,
      );
    if (byAddress.connections >= l.connectionsPerAddress)
      throw new ClientLimitError(
        `your address already has ${byAddress.connections} open streams (at most ${l.connectionsPerAddress})`,
      );
    // Checked as each template is costed: a stream refused at its fifth template leaves the rest uncompiled.
    const templates: [string, number][] = [];
    const over = (h: Holder, limit: number) => h.states + h.extra(templates) > limit;
    for (const t of new Set(selectors.filter(isTemplate))) {
      templates.push([t, cost(t)]);
      if (byToken && over(byToken, l.templateStatesPerToken))
        throw new ClientLimitError(
          `the URI templates of this JWT's open streams would need ${byToken.states + byToken.extra(templates)} automaton states or more; at most ${l.templateStatesPerToken} are accepted (close streams, or use fewer or simpler templates, exact topics or "*")`,
        );
      if (over(byAddress, l.templateStatesPerAddress))
        throw new ClientLimitError(
          `the URI templates of the open streams from your address would need ${byAddress.states + byAddress.extra(templates)} automaton states or more; at most ${l.templateStatesPerAddress} are accepted`,
        );
      if (over(this.#overall, l.templateStatesOverall))
        throw new ClientLimitError(
          `the hub's URI templates already need ${this.#overall.states} automaton states (at most ${l.templateStatesOverall}); try again when streams have closed`,
        );
    }
    const holders = byToken ? [byToken, byAddress, this.#overall] : [byAddress, this.#overall];
    for (const h of holders) h.take(templates, 1);
    if (tokenKey !== undefined && byToken) this.#byToken.set(tokenKey, byToken);
    this.#byAddress.set(address, byAddress);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const h of holders) h.take(templates, -1);
      if (tokenKey !== undefined && byToken?.connections === 0) this.#byToken.delete(tokenKey);
      if (byAddress.connections === 0) this.#byAddress.delete(address);
    };
  }
}
