import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket, createSecureContext, type SecureContext } from 'node:tls';
import type { Logger } from '../logger.js';
import { listen, type BoundAddress } from '../net/listen.js';
import type { TlsMaterial } from '../smtp/tls.js';
import type { Pop3Mailbox } from './mailbox.js';
import { Pop3Session } from './session.js';

export interface Pop3ServerOptions {
  mailbox: Pop3Mailbox;
  logger: Logger;
  /** Required credentials; without them any USER/PASS is accepted. */
  auth?: { user: string; pass: string };
  /** Certificate for STLS. */
  tls?: TlsMaterial;
  maxConnections?: number;
  idleTimeoutMs?: number;
}

/** RFC 2449 allows 255 octets per command; a little slack for clients that pad, then the line is refused. */
const MAX_LINE = 512;
/** RFC 1939 §3: an inactivity timer of at least 10 minutes. */
const IDLE_TIMEOUT_MS = 10 * 60_000;
const MAX_CONNECTIONS = 50;

/** Serves the caught mails, as tracked, to a real mail client (Thunderbird, Apple Mail, Outlook) over POP3. */
export class Pop3Server {
  readonly #server: Server;
  readonly #options: Pop3ServerOptions;
  readonly #secureContext: SecureContext | undefined;
  readonly #sockets = new Set<Socket>();

  constructor(options: Pop3ServerOptions) {
    this.#options = options;
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
    const io = {
      secure: false,
      write: (chunks: string | Buffer[]) => {
        if (socket.destroyed) return;
        let flushed = true;
        for (const chunk of typeof chunks === 'string' ? [chunks] : chunks) flushed = socket.write(chunk);
        if (!flushed) waitingForDrain = true;
      },
      end: () => socket.end(),
      startTls: this.#secureContext ? () => upgrade() : undefined,
    };
    const session = new Pop3Session(io, {
      mailbox: this.#options.mailbox,
      auth: this.#options.auth,
      tls: !!this.#secureContext,
    });

    // Lines are handled one at a time; a RETR that fills the socket's buffer holds the next line until it drains.
    const work = () => {
      while (!waitingForDrain && !session.done) {
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
        try {
          session.handle(line);
        } catch (err) {
          // A store failure (say, the database closing under a stopping sandbox) ends this session, not the process.
          logger.error(`session from ${plain.remoteAddress}: ${(err as Error).message}`);
          io.write('-ERR [SYS/TEMP] internal error, closing\r\n');
          socket.end();
          return;
        }
      }
    };
    const onData = (data: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, data]) : data;
      work();
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
