import { createHash } from 'node:crypto';
import { MATCH_ALL } from './topic-selector.js';

/**
 * What one client may hold open at once. Exact topics and `*` cost a string comparison per update; a URI template
 * costs a walk of its automaton over every topic, so templates are what is counted, across all of a client's
 * streams: a 32-selector cap per subscription alone lets ten subscriptions make every update (and every
 * subscription event) ten times as slow.
 */
export interface ClientLimits {
  /** Open streams per JWT. */
  connectionsPerToken: number;
  /** Open streams per client address (every local program shares 127.0.0.1, so this one is wide). */
  connectionsPerAddress: number;
  /** Distinct URI templates across the open streams of one JWT. */
  templatesPerToken: number;
  /** Distinct URI templates across the open streams of one address. */
  templatesPerAddress: number;
  /** Distinct URI templates across the whole hub: bounds the matching work of each update. */
  templatesOverall: number;
}

export const DEFAULT_CLIENT_LIMITS: ClientLimits = {
  connectionsPerToken: 10_000,
  connectionsPerAddress: 20_000,
  templatesPerToken: 64,
  templatesPerAddress: 128,
  templatesOverall: 512,
};

/** A refusal the subscribe handler answers with 429 and this text. */
export class ClientLimitError extends Error {}

const isTemplate = (selector: string) => selector !== MATCH_ALL && selector.includes('{');

/** Counts of one key (a token or an address): open streams, and how many of them use each template. */
class Holder {
  connections = 0;
  readonly templates = new Map<string, number>();
}

function add(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}

/** Keeps the counts of the hub's open streams per token and per address, and refuses what would exceed them. */
export class ClientBudget {
  readonly #limits: ClientLimits;
  readonly #byToken = new Map<string, Holder>();
  readonly #byAddress = new Map<string, Holder>();
  readonly #overall = new Map<string, number>();

  constructor(limits: Partial<ClientLimits> = {}) {
    this.#limits = { ...DEFAULT_CLIENT_LIMITS, ...limits };
  }

  /**
   * Takes what a new stream needs, or throws a ClientLimitError naming the limit. Returns the release, to be called
   * once when the stream closes.
   */
  acquire(token: string | undefined, address: string, selectors: readonly string[]): () => void {
    const templates = [...new Set(selectors.filter(isTemplate))];
    const tokenKey = token === undefined ? undefined : createHash('sha256').update(token).digest('base64url');
    const byToken = tokenKey === undefined ? undefined : (this.#byToken.get(tokenKey) ?? new Holder());
    const byAddress = this.#byAddress.get(address) ?? new Holder();
    const l = this.#limits;
    const fresh = (held: Map<string, number>) => templates.filter((t) => !held.has(t)).length;
    if (byToken && byToken.connections >= l.connectionsPerToken)
      throw new ClientLimitError(
        `this JWT already has ${byToken.connections} open streams (at most ${l.connectionsPerToken})`,
      );
    if (byAddress.connections >= l.connectionsPerAddress)
      throw new ClientLimitError(
        `your address already has ${byAddress.connections} open streams (at most ${l.connectionsPerAddress})`,
      );
    if (byToken && byToken.templates.size + fresh(byToken.templates) > l.templatesPerToken)
      throw new ClientLimitError(
        `this JWT's open streams would use ${byToken.templates.size + fresh(byToken.templates)} distinct URI templates; at most ${l.templatesPerToken} are accepted (close streams, or use exact topics or "*")`,
      );
    if (byAddress.templates.size + fresh(byAddress.templates) > l.templatesPerAddress)
      throw new ClientLimitError(
        `the open streams from your address would use ${byAddress.templates.size + fresh(byAddress.templates)} distinct URI templates; at most ${l.templatesPerAddress} are accepted`,
      );
    if (this.#overall.size + fresh(this.#overall) > l.templatesOverall)
      throw new ClientLimitError(
        `the hub already matches ${this.#overall.size} distinct URI templates (at most ${l.templatesOverall}); try again when streams have closed`,
      );
    const holders = byToken ? [byToken, byAddress] : [byAddress];
    for (const h of holders) {
      h.connections++;
      for (const t of templates) add(h.templates, t, 1);
    }
    for (const t of templates) add(this.#overall, t, 1);
    if (tokenKey !== undefined && byToken) this.#byToken.set(tokenKey, byToken);
    this.#byAddress.set(address, byAddress);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const t of templates) add(this.#overall, t, -1);
      const forget = (map: Map<string, Holder>, key: string, h: Holder) => {
        h.connections--;
        for (const t of templates) add(h.templates, t, -1);
        if (h.connections === 0) map.delete(key);
      };
      if (tokenKey !== undefined && byToken) forget(this.#byToken, tokenKey, byToken);
      forget(this.#byAddress, address, byAddress);
    };
  }
}
