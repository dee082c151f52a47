import type { InboxScope } from '../model/inbox.js';
import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket, createSecureContext, type SecureContext } from 'node:tls';
import type { Logger } from '../logger.js';
import { listen, type BoundAddress } from '../net/listen.js';
import type { TlsMaterial } from '../net/tls.js';
import { LoginThrottle } from './login-throttle.js';
import type { Pop3Mailbox } from './mailbox.js';
import { Pop3Session } from './session.js';

export interface Pop3ServerOptions {
  mailbox: Pop3Mailbox;
  logger: Logger;
  /** The one login that opens the mailbox (`--pop3-auth`, or the generated one). */
  auth: { user: string; pass: string };
  /** Who may log in and which inboxes each login opens (inboxes/pop3-login.ts); without it, only `auth`, to all. */
  login?: (user: string, pass: string) => Promise<InboxScope | undefined>;
  /** Certificate for STLS. */
  tls?: TlsMaterial;
  maxConnections?: number;
  idleTimeoutMs?: number;
  /** Spacing of login attempts after failures; tests shorten it. */
  throttle?: LoginThrottle;
}

/** RFC 2449 allows 255 octets per command; a little slack for clients that pad, then the line is refused. */
const MAX_LINE = 512;
/** RFC 1939 §3: an inactivity timer of at least 10 minutes. */
const IDLE_TIMEOUT_MS = 10 * 60_000;
const MAX_CONNECTIONS = 50;
/**
 * Unread input held per connection. Commands are read one at a time and the next waits while a reply is still
 * going out, so a client that sends without reading its replies piles up input: beyond this it is closed.
 */
const MAX_PENDING_INPUT = 64 * 1024;
/**
 * Output the socket may hold for a client that does not read. Mails are streamed chunk by chunk as the socket
 * drains, so only a listing of a full maildrop comes near this; beyond it the client is cut off.
 */
const MAX_PENDING_OUTPUT = 4 * 1024 * 1024;

/** Serves the caught mails, as tracked, to a real mail client (Thunderbird, Apple Mail, Outlook) over POP3. */
export class Pop3Server {
  readonly #server: Server;
  readonly #options: Pop3ServerOptions;
  readonly #secureContext: SecureContext | undefined;
  readonly #sockets = new Set<Socket>();
  readonly #throttle: LoginThrottle;

  constructor(options: Pop3ServerOptions) {
    this.#options = options;
    this.#throttle = options.throttle ?? new LoginThrottle();
    this.#secureContext = options.tls ? createSecureContext(options.tls) : undefined;
    this.#server = createServer((socket) => this.#accept(socket));
  }

  listen(host: string, port: number): Promise<BoundAddress> {
    return listen(this.#server, host, port, 'pop3');
  }

  /** Closes every connection: marked deletions only happen on QUIT, so nothing is lost by cutting a session. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      for (const socket of this.#sockets) socket.destroy();
      if (this.#server.listening) this.#server.close(() => resolve());
      else resolve();
    });
  }

  #accept(plain: Socket): void {
    const { logger } = this.#options;
    this.#sockets.add(plain);
    plain.on('close', () => this.#sockets.delete(plain));
    plain.on('error', (err) => logger.info(`connection from ${plain.remoteAddress}: ${err.message}`));
    if (this.#sockets.size > (this.#options.maxConnections ?? MAX_CONNECTIONS)) {
      plain.end('-ERR [SYS/TEMP] too many connections, try again later\r\n');
      return;
    }

    let socket: Socket = plain;
    let pending: Buffer = Buffer.alloc(0);
    let waitingForDrain = false;
    /** A reply that takes time (a streamed mail, a delayed login) is under way: the next line waits. */
    let busy = false;
    const cut = (why: string) => {
      logger.info(`connection from ${plain.remoteAddress} cut: ${why}`);
      pending = Buffer.alloc(0);
      socket.destroy();
    };
    const overfull = () => socket.writableLength > MAX_PENDING_OUTPUT;
    const io = {
      secure: false,
      write: (text: string) => {
        if (socket.destroyed) return;
        if (!socket.write(text)) waitingForDrain = true;
        if (overfull()) cut(`more than ${MAX_PENDING_OUTPUT} bytes of replies unread`);
      },
      stream: async (chunks: AsyncIterable<Buffer>) => {
        for await (const chunk of chunks) {
          if (socket.destroyed) return;
          // A socket whose kernel buffer takes every chunk at once never asks to wait: yield between chunks
          // anyway, so other connections and requests are served while a large mail goes out.
          if (socket.write(chunk)) await new Promise((resolve) => setImmediate(resolve));
          else {
            await new Promise<void>((resolve) => {
              const done = () => {
                socket.off('drain', done);
                socket.off('close', done);
                resolve();
              };
              socket.on('drain', done);
              socket.on('close', done);
            });
          }
        }
      },
      end: () => socket.end(),
      startTls: this.#secureContext ? () => upgrade() : undefined,
    };
    const session = new Pop3Session(io, {
      mailbox: this.#options.mailbox,
      auth: this.#options.auth,
      login: this.#options.login,
      tls: !!this.#secureContext,
      throttle: this.#throttle,
      remoteAddress: plain.remoteAddress ?? '',
    });

    const failed = (err: unknown) => {
      // A store failure (say, the database closing under a stopping sandbox) ends this session, not the process.
      logger.error(`session from ${plain.remoteAddress}: ${(err as Error).message}`);
      io.write('-ERR [SYS/TEMP] internal error, closing\r\n');
      socket.end();
    };
    // Lines are handled one at a time; a reply that fills the socket's buffer holds the next line until it drains.
    const work = () => {
      while (!busy && !waitingForDrain && !session.done && !socket.destroyed) {
        const lf = pending.indexOf(0x0a);
        if (lf === -1) {
          if (pending.length > MAX_LINE) {
            io.write(`-ERR line too long (at most ${MAX_LINE} octets)\r\n`);
            socket.end();
            pending = Buffer.alloc(0);
          }
          return;
        }
        const line = pending.subarray(0, lf > 0 && pending[lf - 1] === 0x0d ? lf - 1 : lf).toString('latin1');
        pending = pending.subarray(lf + 1);
        if (line.length > MAX_LINE) {
          io.write(`-ERR line too long (at most ${MAX_LINE} octets)\r\n`);
          socket.end();
          return;
        }
        let reply: Promise<void> | void;
        try {
          reply = session.handle(line);
        } catch (err) {
          return failed(err);
        }
        if (reply) {
          busy = true;
          reply.then(
            () => {
              busy = false;
              work();
            },
            (err: unknown) => failed(err),
          );
        }
      }
      // Whatever the client sent after its last command waits unread; once the session is over, it is dropped.
      if (session.done) pending = Buffer.alloc(0);
    };
    const onData = (data: Buffer) => {
      if (session.done) return;
      pending = pending.length ? Buffer.concat([pending, data]) : data;
      work();
      if (pending.length > MAX_PENDING_INPUT) cut(`more than ${MAX_PENDING_INPUT} bytes of commands unread`);
    };
    const onDrain = () => {
      waitingForDrain = false;
      work();
    };
    const onTimeout = () => {
      io.write('-ERR idle timeout, closing\r\n');
      socket.end();
    };
    const attach = (s: Socket) => {
      s.setTimeout(this.#options.idleTimeoutMs ?? IDLE_TIMEOUT_MS);
      s.on('data', onData);
      s.on('drain', onDrain);
      s.on('timeout', onTimeout);
    };
    const upgrade = () => {
      plain.off('data', onData);
      plain.off('drain', onDrain);
      plain.off('timeout', onTimeout);
      plain.setTimeout(0);
      // RFC 2595 §4: anything the client sent after STLS but before the handshake is discarded.
      pending = Buffer.alloc(0);
      const secure = new TLSSocket(plain, { isServer: true, secureContext: this.#secureContext });
      secure.on('error', (err) => {
        logger.info(`TLS from ${plain.remoteAddress}: ${err.message}`);
        plain.destroy();
      });
      socket = secure;
      io.secure = true;
      attach(secure);
    };
    attach(plain);
    session.greet();
  }
}
