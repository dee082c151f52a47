import { isAscii } from 'node:buffer';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import {
  IDLE_CLOSE_MS,
  MESSAGES_PER_CONNECTION,
  POOL_CONNECTIONS,
  connectionOptions,
  dkimOptions,
  poolError,
  type Delivery,
  type SendError,
  type Upstream,
  type UpstreamOptions,
} from '../../src-main/relay/upstream.js';

type Transport = ReturnType<typeof nodemailer.createTransport>;

/**
 * nodemailer's pooled SMTP transport (SMTPPool) sending raw mails as they are, with the same connection settings,
 * DKIM re-signing, share of mails per connection and idle close as UpstreamPool. A mail whose reused connection had
 * been dropped before its bytes went out is sent once more (maxRequeues: 1). A send with `setupTimeoutMs` (a release
 * someone waits for) goes over a connection of its own with those set-up timeouts, as the pool's are fixed.
 */
export class SmtpPoolUpstream implements Upstream {
  readonly #options: UpstreamOptions;
  readonly #pool: Transport;
  /** Sends on a connection of their own, aborted by a forced close. */
  readonly #single = new Set<AbortController>();
  #closed = false;

  constructor(options: UpstreamOptions, size = POOL_CONNECTIONS) {
    this.#options = options;
    this.#pool = nodemailer.createTransport({
      ...connectionOptions(options),
      dkim: dkimOptions(options),
      pool: true,
      maxConnections: size,
      maxMessages: MESSAGES_PER_CONNECTION,
      idleTimeout: IDLE_CLOSE_MS,
      maxRequeues: 1,
    });
  }

  async send(
    envelope: { from: string; to: string[] },
    message: Buffer,
    setupTimeoutMs?: number,
  ): Promise<Delivery> {
    if (this.#closed) throw poolError('the relay is stopping');
    const transport = setupTimeoutMs ? this.#oneOff(setupTimeoutMs) : this.#pool;
    const abort = transport === this.#pool ? undefined : new AbortController();
    if (abort) this.#single.add(abort);
    try {
      const info = (await transport.sendMail({
        // 8-bit content is declared where the upstream understands the declaration (RFC 6152).
        envelope: {
          ...envelope,
          size: message.length,
          use8BitMime: !isAscii(message),
        } as SendMailOptions['envelope'],
        raw: message,
        signal: abort?.signal,
      })) as { response: string; rejected: unknown[] };
      return { response: info.response, rejected: info.rejected.map(String) };
    } catch (err) {
      const error = err as SendError;
      // The pool fails the mails it still holds when closed with a bare error: a failure to get through.
      if (this.#closed && !error.code && error.responseCode === undefined)
        throw poolError('the relay is stopping');
      throw error;
    } finally {
      if (abort) {
        this.#single.delete(abort);
        transport.close();
      }
    }
  }

  close(force: boolean): void {
    this.#closed = true;
    (this.#pool.close as (options?: { force?: boolean }) => void)({ force });
    if (force) for (const abort of this.#single) abort.abort();
  }

  #oneOff(timeoutMs: number): Transport {
    const transport = nodemailer.createTransport({
      ...connectionOptions(this.#options),
      dkim: dkimOptions(this.#options),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
    });
    return transport;
  }
}
