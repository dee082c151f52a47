/**
 * Spaces out login attempts from an address once one has failed, however many connections they come on: each
 * attempt takes the next free slot, and every failure widens the gap (doubling up to a ceiling). A correct login
 * waits for its slot too; answering it at once would let a guesser tell success from failure by the delay
 * alone and drop the slow connections. A success, or a quiet spell, forgets the address.
 */
export class LoginThrottle {
  readonly #firstDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #maxWaitMs: number;
  readonly #now: () => number;
  readonly #byAddress = new Map<string, { failures: number; next: number; last: number }>();

  constructor(
    options: { firstDelayMs?: number; maxDelayMs?: number; maxWaitMs?: number; now?: () => number } = {},
  ) {
    this.#firstDelayMs = options.firstDelayMs ?? FIRST_DELAY_MS;
    this.#maxDelayMs = options.maxDelayMs ?? MAX_DELAY_MS;
    this.#maxWaitMs = options.maxWaitMs ?? MAX_WAIT_MS;
    this.#now = options.now ?? Date.now;
  }

  /**
   * How long the attempt from `address` must wait before its password is checked (0 while nothing failed), or
   * undefined when the queue of attempts is already longer than the longest wait: the caller refuses it.
   */
  reserve(address: string): number | undefined {
    const entry = this.#byAddress.get(address);
    if (!entry) return 0;
    const now = this.#now();
    if (now - entry.last > QUIET_MS && entry.next <= now) {
      this.#byAddress.delete(address);
      return 0;
    }
    const slot = Math.max(now, entry.next);
    if (slot - now > this.#maxWaitMs) return undefined;
    entry.next = slot + this.#delay(entry.failures);
    return slot - now;
  }

  failed(address: string): void {
    const now = this.#now();
    this.#forgetQuiet(now);
    const entry = this.#byAddress.get(address) ?? { failures: 0, next: now, last: now };
    entry.failures++;
    entry.last = now;
    entry.next = Math.max(entry.next, now + this.#delay(entry.failures));
    this.#byAddress.set(address, entry);
  }

  succeeded(address: string): void {
    this.#byAddress.delete(address);
  }

  #delay(failures: number): number {
    return failures === 0
      ? 0
      : Math.min(this.#firstDelayMs * 2 ** Math.min(failures - 1, 30), this.#maxDelayMs);
  }

  /** Addresses whose last failure is long past start afresh; this also keeps the map small. */
  #forgetQuiet(now: number): void {
    if (this.#byAddress.size < FORGET_CHECK_SIZE) return;
    for (const [address, entry] of this.#byAddress)
      if (now - entry.last > QUIET_MS) this.#byAddress.delete(address);
  }
}

/** The gap after a first failure; it doubles with every further one. */
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 4_000;
/** Attempts queued further ahead than this are refused outright (the connection closes). */
const MAX_WAIT_MS = 20_000;
/** After this long without a failure an address starts again from no delay. */
const QUIET_MS = 10 * 60_000;
const FORGET_CHECK_SIZE = 1_000;
