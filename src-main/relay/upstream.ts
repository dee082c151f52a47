import { isAscii } from 'node:buffer';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { Readable } from 'node:stream';
import DKIM from 'nodemailer/lib/dkim/index.js';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';

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

/** Sends raw mails to the upstream over pooled connections (UpstreamPool, or nodemailer's SMTPPool). */
export interface Upstream {
  send(envelope: { from: string; to: string[] }, message: Buffer, setupTimeoutMs?: number): Promise<Delivery>;
  close(force: boolean): void;
}

/** A mail waiting for, or on, a connection. */
interface Job {
  from: string;
  to: string[];
  message: Buffer;
  /** Already handed back once by a reused connection that turned out to be closed. */
  requeued: boolean;
  /** How long a connection opened for this mail may take to connect and to be greeted (SETUP_TIMEOUT_MS otherwise). */
  setupTimeoutMs?: number;
  resolve: (delivery: Delivery) => void;
  reject: (err: SendError) => void;
}

/** One open connection and what it is doing. */
interface Session {
  smtp: SMTPConnection;
  sent: number;
  ended: boolean;
  job?: Job;
  idleTimer?: NodeJS.Timeout;
}

/** How long a QUIT waits for the upstream's goodbye before the connection is dropped. */
const QUIT_WAIT_MS = 5_000;

/** The connection ended rather than the mail being refused: the upstream took nothing from this transaction. */
const endedConnection = (err: SendError) =>
  err.responseCode === 421 ||
  err.code === 'ECONNECTION' ||
  err.code === 'ESOCKET' ||
  err.code === 'ETIMEDOUT';

export const poolError = (message: string): SendError =>
  Object.assign(new Error(message), { code: 'ECONNECTION' });

/**
 * Pooled nodemailer SMTP connections to the upstream that send raw mails as they are (PIPELINING, STARTTLS, AUTH and
 * the timeouts are nodemailer's). Each send settles with the upstream's reply or with the error, whose
 * `responseCode` and `code` tell a refusal from a failure to get through. A connection carries mail after mail; it is
 * replaced after MESSAGES_PER_CONNECTION mails, closed after IDLE_CLOSE_MS idle, and a mail that a reused connection
 * could not even start (the upstream had dropped it) goes out once more on a fresh one.
 */
export class UpstreamPool implements Upstream {
  readonly #options: SMTPConnection.Options;
  readonly #auth?: { user: string; pass: string };
  readonly #dkim?: DKIM;
  readonly #size: number;
  readonly #sessions = new Set<Session>();
  readonly #idle: Session[] = [];
  readonly #queue: Job[] = [];
  /** Connections being set up, closed at once when the pool is closed by force. */
  readonly #opening = new Set<SMTPConnection>();
  #closed = false;

  constructor(options: UpstreamOptions, size = POOL_CONNECTIONS) {
    const { auth, ...connection } = connectionOptions(options);
    this.#size = size;
    this.#auth = auth;
    this.#options = connection;
    const dkim = dkimOptions(options);
    if (dkim) this.#dkim = new DKIM(dkim);
  }

  /**
   * Sends `message` (the mail's bytes, headers first) to the envelope's recipients; signs it first with
   * --relay-dkim-*. `setupTimeoutMs` shortens the wait for a connection opened for this mail (someone is waiting).
   */
  async send(
    envelope: { from: string; to: string[] },
    message: Buffer,
    setupTimeoutMs?: number,
  ): Promise<Delivery> {
    if (this.#closed) throw poolError('the relay is stopping');
    const signed = this.#dkim ? await this.#sign(message) : message;
    if (this.#closed) throw poolError('the relay is stopping');
    return new Promise<Delivery>((resolve, reject) => {
      this.#queue.push({ ...envelope, message: signed, requeued: false, setupTimeoutMs, resolve, reject });
      this.#dispatch();
    });
  }

  /**
   * Stops taking mails and says goodbye to idle connections. `force` also drops the connections that are sending
   * or being set up: their mails fail with ECONNECTION, as do mails still waiting for a connection.
   */
  close(force: boolean): void {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(poolError('the relay is stopping'));
    if (force) for (const smtp of this.#opening) smtp.close();
    for (const session of [...this.#sessions]) {
      if (!session.job) {
        this.#drop(session);
        quit(session.smtp);
      } else if (force) {
        this.#drop(session);
        session.smtp.close(); // fails the send under way with ECONNECTION
      }
    }
  }

  #sign(message: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      this.#dkim!.sign(message)
        .on('data', (chunk: Buffer) => chunks.push(chunk))
        .once('end', () => resolve(Buffer.concat(chunks)))
        .once('error', (err: Error) => reject(Object.assign(err, { code: 'EMESSAGE' })));
    });
  }

  /** Hands waiting mails to idle connections, opening new ones up to the pool size. */
  #dispatch(): void {
    while (this.#queue.length && !this.#closed) {
      const session = this.#idle.pop();
      if (session) this.#run(session, this.#queue.shift()!);
      else if (this.#sessions.size + this.#opening.size < this.#size) this.#open(this.#queue.shift()!);
      else return;
    }
  }

  /** Opens a connection for `job`; a connection that cannot be opened fails that mail (the next one tries anew). */
  #open(job: Job): void {
    const timeout = job.setupTimeoutMs;
    const smtp = new SMTPConnection(
      timeout ? { ...this.#options, connectionTimeout: timeout, greetingTimeout: timeout } : this.#options,
    );
    const session: Session = { smtp, sent: 0, ended: false };
    this.#opening.add(smtp);
    // Until the session is set up, a failure is told by the 'error' event (or a bare 'end'); afterwards it reaches
    // the callback of the send under way, and the event only has to be listened to.
    let settled = false;
    const failed = (err: SendError) => {
      if (settled) return;
      settled = true;
      this.#opening.delete(smtp);
      smtp.close();
      job.reject(err);
      this.#dispatch();
    };
    const ready = () => {
      if (settled) return;
      settled = true;
      this.#opening.delete(smtp);
      if (this.#closed) {
        quit(smtp);
        job.reject(poolError('the relay is stopping'));
        return;
      }
      this.#sessions.add(session);
      this.#run(session, job);
    };
    smtp.on('error', (err: SendError) => failed(err));
    smtp.once('end', () => {
      session.ended = true;
      this.#drop(session);
      failed(poolError('The connection was closed'));
    });
    smtp.connect((err?: SendError | null) => {
      if (err) return failed(err);
      if (!this.#auth || !smtp.allowsAuth) return ready();
      smtp.login(this.#auth, (loginErr?: SendError | null) => (loginErr ? failed(loginErr) : ready()));
    });
  }

  #run(session: Session, job: Job): void {
    clearTimeout(session.idleTimer);
    session.job = job;
    const { smtp } = session;
    // The bytes are handed over only once the upstream has opened DATA, so a failure before that is known to have
    // delivered nothing.
    let dataStarted = false;
    const body = new Readable({
      read() {
        dataStarted = true;
        this.push(job.message);
        this.push(null);
      },
    });
    const envelope = {
      from: job.from,
      to: job.to,
      size: job.message.length,
      // 8-bit content is declared where the upstream understands the declaration (RFC 6152).
      use8BitMime: !isAscii(job.message),
    };
    smtp.send(envelope, body, (err, info) => {
      session.job = undefined;
      session.sent++;
      if (!err) {
        job.resolve({ response: info.response, rejected: info.rejected });
        this.#release(session);
        return;
      }
      // A connection used before may have been closed by the upstream in the meantime; if it ended before the
      // mail's bytes went out, nothing was delivered and the mail goes out once more on a fresh connection.
      if (session.sent > 1 && endedConnection(err) && !dataStarted && !job.requeued && !this.#closed) {
        job.requeued = true;
        this.#drop(session);
        smtp.close();
        this.#queue.unshift(job);
        this.#dispatch();
        return;
      }
      job.reject(err);
      // The upstream refused this mail (its envelope or its content) over a healthy connection: RSET and reuse it.
      const refused = (err.code === 'EENVELOPE' || err.code === 'EMESSAGE') && err.responseCode !== 421;
      if (refused && !session.ended && !this.#closed) {
        smtp.reset((resetErr) => {
          if (!resetErr && !session.ended) return this.#release(session);
          this.#drop(session);
          smtp.close();
          this.#dispatch();
        });
        return;
      }
      this.#drop(session);
      smtp.close();
      this.#dispatch();
    });
  }

  /** A connection is free again: the next mail, or idle until one comes (or QUIT once it has sent its share). */
  #release(session: Session): void {
    if (this.#closed || session.sent >= MESSAGES_PER_CONNECTION) {
      this.#drop(session);
      quit(session.smtp);
      this.#dispatch();
      return;
    }
    const job = this.#queue.shift();
    if (job) return this.#run(session, job);
    this.#idle.push(session);
    session.idleTimer = setTimeout(() => {
      this.#drop(session);
      quit(session.smtp);
    }, IDLE_CLOSE_MS);
    session.idleTimer.unref();
  }

  /** Forgets a connection (closed, failed or ended by the upstream); a mail on it has had its answer already. */
  #drop(session: Session): void {
    clearTimeout(session.idleTimer);
    this.#sessions.delete(session);
    const idle = this.#idle.indexOf(session);
    if (idle >= 0) this.#idle.splice(idle, 1);
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

/** QUIT, then the connection closes once the upstream answers, or after QUIT_WAIT_MS whatever it does. */
function quit(smtp: SMTPConnection): void {
  smtp.quit();
  setTimeout(() => smtp.close(), QUIT_WAIT_MS).unref();
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
