import type { Socket } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Logger } from '../logger.js';
import type { CaughtMail } from '../ingest/ingest.js';
import { listen, type BoundAddress } from '../net/listen.js';
import type { Chaos } from './chaos.js';
import { MailBytes } from './mail-bytes.js';
import { SlowClientGuard } from './slow-clients.js';

export interface SmtpCatcherOptions {
  /** Stores the mail; resolves with its id once committed. */
  accept: (mail: CaughtMail) => Promise<string>;
  logger: Logger;
  maxMessageSize: number;
  maxRecipients: number;
  maxConnections: number;
  /** Total time allowed for one command line, however slowly it arrives (ms). */
  commandTimeoutMs: number;
  /** Total time allowed for one mail's DATA (ms). */
  dataTimeoutMs: number;
  /** When set, AUTH is required and checked; otherwise any credentials (or none) are accepted. */
  auth?: { user: string; pass: string };
  /**
   * Checks an AUTH login and names the inbox its mail goes to (inboxes/routing.ts); throws with the reply's text to
   * refuse it. Replaces the check of `auth`, which still makes AUTH required.
   */
  login?: (user: string, pass: string) => { user: string; inbox?: string };
  /** Every mail of this listener goes to this inbox (`--smtp-inbox`), whatever the login. */
  inbox?: string;
  /** Certificate for STARTTLS and the implicit TLS listener; without it neither is offered. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Offer STARTTLS on the plain listener (needs `tls`). */
  starttls?: boolean;
  /** Refuse AUTH and MAIL with `530` until the client has switched to TLS (for testing an app's TLS path). */
  requireTls?: boolean;
  hostname?: string;
  /** Errors answered on purpose (`--enable-chaos`, `PUT /api/v1/chaos`). */
  chaos?: Chaos;
}

/** How long `close()` lets open connections finish (a mail mid-DATA) before it answers them 421 and cuts them. */
const CLOSE_TIMEOUT_MS = 3_000;

/** SMTP replies with their codes, so the client sees why (smtp-server sends `err.responseCode`). */
function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * A pipelining client sends MAIL, RCPT and DATA in one packet, and smtp-server writes each reply on its own: three
 * system calls where one does. Holding the connection's writes from the moment a packet arrives until the end of that
 * turn of the event loop sends them as one (socket writes were a tenth of the main thread's time under load; half of
 * that now). A reply written later, like the 250 after the commit, goes out on its own as before.
 */
function coalesceReplies(socket: Socket): void {
  socket.prependListener('data', () => {
    if (socket.writableCorked) return;
    socket.cork();
    setImmediate(() => socket.uncork());
  });
}

/**
 * Catches every mail sent to it. The `250` reply is sent only after the mail is committed to the store and names its id.
 */
export class SmtpCatcher {
  readonly #options: SmtpCatcherOptions;
  /** The plain listener first; then the implicit TLS one (SMTPS) when `listenImplicitTls` built it. */
  readonly #listeners: { server: SMTPServer; slowClients: SlowClientGuard }[] = [];
  readonly #inflight = new Set<Promise<unknown>>();
  #paused = false;
  #rejected = 0;

  constructor(options: SmtpCatcherOptions) {
    if ((options.starttls || options.requireTls) && !options.tls)
      throw new Error('[smtp] STARTTLS needs a certificate');
    this.#options = options;
    this.#listeners.push(this.#build(false));
  }

  /** One smtp-server with the catcher's hooks: plain (STARTTLS as configured) or implicit TLS from the first byte. */
  #build(implicitTls: boolean): { server: SMTPServer; slowClients: SlowClientGuard } {
    const options = this.#options;
    const { logger, auth } = options;
    const starttls = !implicitTls && !!options.starttls;
    const requireTls = !implicitTls && !!options.requireTls;
    const mustUpgrade = () => smtpError(530, '5.7.0 Must issue a STARTTLS command first');
    const server: SMTPServer = new SMTPServer({
      name: options.hostname ?? 'mailbeacon',
      banner: 'Mailbeacon catches every mail',
      size: options.maxMessageSize,
      authMethods: ['PLAIN', 'LOGIN'],
      authOptional: !auth,
      allowInsecureAuth: true,
      disableReverseLookup: true,
      maxClients: options.maxConnections,
      // Without a certificate of the user's choosing STARTTLS is not offered at all: most clients upgrade whenever
      // it is offered and then refuse a self-signed certificate, so offering it would break their defaults.
      ...(implicitTls || starttls ? { key: options.tls!.key, cert: options.tls!.cert } : {}),
      ...(implicitTls ? { secure: true } : {}),
      ...(starttls ? {} : { disabledCommands: ['STARTTLS'] }),
      logger: false,
      closeTimeout: CLOSE_TIMEOUT_MS,
      onAuth: (a, session, callback) => {
        if (requireTls && !session.secure) return callback(mustUpgrade());
        const chaos = options.chaos?.fire('Authentication');
        if (chaos) return callback(chaos);
        if (options.login) {
          try {
            return callback(null, { user: options.login(a.username ?? '', a.password ?? '') });
          } catch (err) {
            return callback(smtpError(535, (err as Error).message));
          }
        }
        if (!auth) return callback(null, { user: a.username ?? '' });
        if (a.username === auth.user && a.password === auth.pass) return callback(null, { user: a.username });
        return callback(smtpError(535, '5.7.8 Authentication credentials invalid'));
      },
      onRcptTo: (_address, session, callback) => {
        const chaos = options.chaos?.fire('Recipient');
        if (chaos) return callback(chaos);
        if (session.envelope.rcptTo.length >= options.maxRecipients) {
          return callback(
            smtpError(452, `4.5.3 Too many recipients (at most ${options.maxRecipients} per mail)`),
          );
        }
        callback();
      },
      onMailFrom: (_address, session, callback) => {
        if (requireTls && !session.secure) return callback(mustUpgrade());
        if (this.#paused)
          return callback(smtpError(421, '4.3.2 Capture is paused in Mailbeacon, try again later'));
        const chaos = options.chaos?.fire('Sender');
        if (chaos) return callback(chaos);
        callback();
      },
      onSecure: (socket, _session, callback) => {
        slowClients.watch(socket);
        callback();
      },
      onData: (stream, session, callback) => this.#onData(slowClients, stream, session, callback),
    });
    const slowClients = new SlowClientGuard(
      server,
      { commandTimeoutMs: options.commandTimeoutMs, dataTimeoutMs: options.dataTimeoutMs },
      (what, remote) =>
        logger.warn(`${remote} took too long to send ${what === 'data' ? 'a mail' : 'a command'}: closed`),
    );
    server.on('error', (err) => {
      // A failed bind is the listen() promise's to report, once and with the cause worded for the user.
      if (server.server.listening) logger.error(`server error: ${err.message}`);
    });
    server.server.on('connection', (socket: Socket) => {
      coalesceReplies(socket);
      slowClients.watch(socket);
    });
    return { server, slowClients };
  }

  /** While paused, new mails get `421` (temporary), so well-behaved senders retry later. */
  setPaused(paused: boolean): void {
    this.#paused = paused;
  }

  get paused(): boolean {
    return this.#paused;
  }

  get rejected(): number {
    return this.#rejected;
  }

  #onData(
    slowClients: SlowClientGuard,
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    callback: (err?: Error | null, message?: string) => void,
  ): void {
    const bytes = new MailBytes(this.#options.maxMessageSize);
    const arrived = slowClients.dataStarted(session.id);
    stream.on('data', (chunk: Buffer) => {
      // Past the size limit smtp-server answers 552 itself; keep no more bytes than that.
      if (!stream.sizeExceeded) bytes.push(chunk);
    });
    stream.on('end', () => {
      arrived();
      if (stream.sizeExceeded) {
        this.#rejected++;
        return callback(
          smtpError(552, `5.3.4 Message exceeds the maximum size of ${this.#options.maxMessageSize} bytes`),
        );
      }
      const raw = bytes.join();
      const mailFrom = session.envelope.mailFrom;
      const work = this.#options
        .accept({
          raw,
          envelopeFrom: mailFrom ? mailFrom.address : '',
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          username:
            typeof session.user === 'string'
              ? session.user
              : ((session.user as { user?: string })?.user ?? ''),
          inbox: this.#options.inbox ?? (session.user as { inbox?: string } | undefined)?.inbox,
          remoteIp: session.remoteAddress,
        })
        .then(
          (id) => callback(null, `2.0.0 Ok: queued as ${id}`),
          (err: Error) => {
            this.#rejected++;
            this.#options.logger.error(
              `mail from ${session.remoteAddress} could not be stored: ${err.message}`,
            );
            callback(smtpError(451, `4.3.0 Mail could not be stored: ${err.message}`));
          },
        );
      this.#inflight.add(work);
      void work.finally(() => this.#inflight.delete(work));
    });
  }

  async listen(host: string, port: number): Promise<BoundAddress> {
    return listen(this.#listeners[0]!.server.server, host, port, 'smtp');
  }

  /** A second listener speaking TLS from the first byte (SMTPS, port 465 style), into the same store. */
  async listenImplicitTls(host: string, port: number): Promise<BoundAddress> {
    if (!this.#options.tls) throw new Error('[smtp] SMTPS needs a certificate');
    const built = this.#build(true);
    this.#listeners.push(built);
    return listen(built.server.server, host, port, 'smtps');
  }

  /** Stops accepting, then waits for every mail already being stored, so nothing acknowledged is lost. */
  async close(): Promise<void> {
    await Promise.all(
      this.#listeners.map(({ server }) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
    await Promise.allSettled([...this.#inflight]);
  }
}
