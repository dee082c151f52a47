import { isAscii } from 'node:buffer';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type DKIM from 'nodemailer/lib/dkim/index.js';
import Mailer from 'nodemailer/lib/mailer/index.js';
import type SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import SMTPPool from 'nodemailer/lib/smtp-pool/index.js';

/** What the relay needs of a nodemailer transport: sending, and closing (by force: the sends under way too). */
interface Transport {
  sendMail(mail: SendMailOptions): Promise<unknown>;
  close(options?: { force?: boolean }): void;
}

/** The upstream settings the pool is built from (`--relay*`). */
export interface UpstreamOptions {
  /** smtp://[user:pass@]host:port or smtps://… (implicit TLS) */
  url: string;
  tlsInsecure: boolean;
  dkim?: { domain: string; selector: string; keyFile: string };
}

/** Connections kept open to the upstream; sends beyond this many wait for a free one. */
export const POOL_CONNECTIONS = 5;
/** An upstream that cannot be connected to, or accepts the connection but does not finish the greeting, EHLO and STARTTLS, within this long is treated as down (a temporary failure); AUTH has the socket timeout. */
const SETUP_TIMEOUT_MS = 30_000;
/** A stalled transaction (no reply to a command or to the end of DATA) is abandoned after this long; RFC 5321 §4.5.3.2 asks clients to wait up to 10 minutes for DATA, but a stuck upstream must not hold the worker that long. */
const SOCKET_TIMEOUT_MS = 120_000;
/** A connection is closed (QUIT) after this many mails and a fresh one opened, as mail clients commonly do. */
export const MESSAGES_PER_CONNECTION = 100;
/** An idle connection is closed (QUIT) after this long, before the upstream's own idle timeout (Postfix: 300 s) drops it. */
export const IDLE_CLOSE_MS = 4 * 60_000;

/**
 * Header fields the re-signed DKIM signature covers: nodemailer's defaults plus List-Unsubscribe-Post, which RFC 8058
 * §4 requires to be signed together with List-Unsubscribe for one-click unsubscribe to be honoured.
 */
export const DKIM_HEADER_FIELDS = [
  'From',
  'Sender',
  'Reply-To',
  'Subject',
  'Date',
  'Message-ID',
  'To',
  'Cc',
  'MIME-Version',
  'Content-Type',
  'Content-Transfer-Encoding',
  'In-Reply-To',
  'References',
  'List-Id',
  'List-Unsubscribe',
  'List-Unsubscribe-Post',
].join(':');

/** What the upstream said to an accepted mail. */
export interface Delivery {
  /** The reply to the end of DATA. */
  response: string;
  /** Recipients the upstream refused while it took the mail for the others. */
  rejected: string[];
}

/** An error of a send, with the SMTP reply when the upstream gave one (nodemailer's error codes). */
export interface SendError {
  message: string;
  code?: string;
  response?: string;
  responseCode?: number;
}

/** Sends raw mails to the upstream over pooled connections (SmtpPoolUpstream). */
export interface Upstream {
  send(envelope: { from: string; to: string[] }, message: Buffer, setupTimeoutMs?: number): Promise<Delivery>;
  close(force: boolean): void;
}

/** Sends are refused after close(); mails still queued then fail with this error. */
export const poolError = (message: string): SendError =>
  Object.assign(new Error(message), { code: 'ECONNECTION' });

/**
 * nodemailer's pooled SMTP transport (SMTPPool) sending raw mails as they are, with their own envelope: PIPELINING,
 * STARTTLS, AUTH, the timeouts, RSET after a refused mail, replacing a connection after MESSAGES_PER_CONNECTION
 * mails, closing it after IDLE_CLOSE_MS idle and sending once more a mail whose reused connection had been dropped
 * before its bytes went out are the library's. Each send settles with the upstream's reply or with nodemailer's
 * error, whose `responseCode` and `code` tell a refusal from a failure to get through (isPermanent).
 */
export class SmtpPoolUpstream implements Upstream {
  readonly #options: UpstreamOptions;
  readonly #dkim?: DKIM.Options;
  readonly #pool: Transport;
  /** Sends on a connection of their own (see send), aborted by a forced close. */
  readonly #single = new Set<AbortController>();
  #closed = false;

  constructor(options: UpstreamOptions, size = POOL_CONNECTIONS) {
    this.#options = options;
    this.#dkim = dkimOptions(options);
    const pool = new SMTPPool({
      ...connectionOptions(options),
      maxConnections: size,
      maxMessages: MESSAGES_PER_CONNECTION,
      idleTimeout: IDLE_CLOSE_MS,
      // once: a mail is sent again only when a reused connection turned out closed before the mail's bytes went out
      maxRequeues: 1,
    });
    this.#pool = new Mailer(pool, { dkim: this.#dkim });
  }

  /**
   * Sends `message` (the mail's bytes, headers first) to the envelope's recipients; signs it first with
   * --relay-dkim-*. `setupTimeoutMs` (a release someone waits for) sends over a connection of its own with those
   * connect and greeting timeouts, as the pool's are fixed.
   */
  async send(
    envelope: { from: string; to: string[] },
    message: Buffer,
    setupTimeoutMs?: number,
  ): Promise<Delivery> {
    if (this.#closed) throw poolError('the relay is stopping');
    const abort = setupTimeoutMs ? new AbortController() : undefined;
    const transport = abort ? this.#oneOff(setupTimeoutMs!) : this.#pool;
    if (abort) this.#single.add(abort);
    try {
      const info = (await transport.sendMail({
        envelope: {
          ...envelope,
          size: message.length,
          // 8-bit content is declared where the upstream understands the declaration (RFC 6152).
          use8BitMime: !isAscii(message),
        } as SendMailOptions['envelope'],
        raw: message,
        signal: abort?.signal,
      })) as { response: string; rejected: unknown[] };
      return { response: info.response, rejected: info.rejected.map(String) };
    } catch (err) {
      const error = err as SendError;
      // Mails still queued when the pool closes fail with a bare error: a failure to get through.
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

  /**
   * Stops taking mails and says goodbye to idle connections. `force` also drops the connections that are sending:
   * their mails fail with ECONNECTION, as do mails still waiting for a connection.
   */
  close(force: boolean): void {
    this.#closed = true;
    this.#pool.close({ force });
    if (force) for (const abort of this.#single) abort.abort();
  }

  #oneOff(timeoutMs: number): Transport {
    return nodemailer.createTransport({
      ...connectionOptions(this.#options),
      dkim: this.#dkim,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
    });
  }
}

/** The connection settings both pools share: address, TLS, timeouts and the login taken from the URL. */
export function connectionOptions(
  options: UpstreamOptions,
): SMTPConnection.Options & { auth?: { user: string; pass: string } } {
  const url = new URL(options.url);
  const secure = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return {
    host,
    port: url.port ? Number(url.port) : secure ? 465 : 25,
    secure,
    // STARTTLS is used whenever the upstream offers it (nodemailer's default for a plain connection).
    tls: { rejectUnauthorized: !options.tlsInsecure, servername: net.isIP(host) ? undefined : host },
    connectionTimeout: SETUP_TIMEOUT_MS,
    greetingTimeout: SETUP_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    logger: false,
    auth: user ? { user, pass: decodeURIComponent(url.password) } : undefined,
  };
}

/** The DKIM re-signing settings (--relay-dkim-*), the key read from its file. */
export function dkimOptions(options: UpstreamOptions): DKIM.Options | undefined {
  if (!options.dkim) return undefined;
  return {
    domainName: options.dkim.domain,
    keySelector: options.dkim.selector,
    privateKey: readDkimKey(options.dkim.keyFile),
    headerFieldNames: DKIM_HEADER_FIELDS,
  };
}

/**
 * Permanent failures are dead-lettered at once: a 5xx reply (RFC 5321 §4.2.1: do not repeat the same request), or
 * a mail refused before talking to the upstream (bad envelope or message). Everything else — 4xx, refused or dropped
 * connections, timeouts, TLS trouble — may pass, so it is retried by the schedule.
 */
export function isPermanent(err: SendError): boolean {
  if (typeof err.responseCode === 'number') return err.responseCode >= 500;
  return err.code === 'EENVELOPE' || err.code === 'EMESSAGE';
}

/** What an attempt records: the upstream's reply when there was one, else the error. */
export function describeError(err: SendError): string {
  const reply = err.response?.trim();
  if (reply) return reply;
  return err.code ? `${err.code}: ${err.message}` : err.message;
}

/** The connection's user:pass hidden, for showing the configuration. */
export function maskUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:****@');
}

function readDkimKey(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`[relay] cannot read the DKIM key --relay-dkim-key ${file}: ${(err as Error).message}`);
  }
}
