import { isAscii } from 'node:buffer';
import { hostname } from 'node:os';
import net from 'node:net';
import tls from 'node:tls';

/** Where and how one session connects (see UpstreamPool for the values). */
export interface SessionOptions {
  host: string;
  port: number;
  /** Implicit TLS (smtps://); otherwise STARTTLS is used whenever the upstream offers it. */
  secure: boolean;
  rejectUnauthorized: boolean;
  auth?: { user: string; pass: string };
  /** Connecting, the greeting, EHLO, STARTTLS and AUTH together must not take longer. */
  setupTimeoutMs: number;
  /** No reply for this long in an open session ends it. */
  socketTimeoutMs: number;
}

/** What the upstream said to an accepted mail. */
export interface Delivery {
  /** The reply to the end of DATA. */
  response: string;
  /** Recipients the upstream refused while it took the mail for the others. */
  rejected: string[];
}

/**
 * A failed step, in nodemailer's terms so callers can classify it: `code` says what failed (ECONNECTION, ESOCKET,
 * ETIMEDOUT, ETLS, EAUTH, EPROTOCOL, EENVELOPE for the envelope, EMESSAGE for the mail), `response` and
 * `responseCode` carry the upstream's reply when there was one.
 */
export class SmtpError extends Error {
  readonly code: string;
  readonly response?: string;
  readonly responseCode?: number;
  /** The mail's bytes had been written when this happened: the upstream may have it even without a reply. */
  afterData = false;

  constructor(message: string, code: string, response?: string) {
    super(response ? `${message}: ${response}` : message);
    this.name = 'SmtpError';
    this.code = code;
    if (response) {
      this.response = response;
      this.responseCode = Number(response.slice(0, 3));
    }
  }
}

/** A reply line longer than this without a line break is not SMTP: the session ends. */
const MAX_REPLY_CHARS = 64 * 1024;
/** How long a QUIT waits for the upstream's goodbye before the connection is dropped. */
const QUIT_WAIT_MS = 5_000;
const CRLF_DOT_CRLF = Buffer.from('\r\n.\r\n');
const DOT_CRLF = Buffer.from('.\r\n');

/** The name this client gives in EHLO: the host's name when it is fully qualified, else an address literal. */
function clientName(): string {
  let name = '';
  try {
    name = hostname();
  } catch {
    // no name to be had
  }
  if (!name.includes('.')) return '[127.0.0.1]';
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(name) ? `[${name}]` : name;
}

const isPositive = (reply: string) => reply.startsWith('2');

/** Replies still to come, in the order the commands went out. */
interface Awaited {
  count: number;
  replies: string[];
  resolve: (replies: string[]) => void;
  reject: (err: SmtpError) => void;
}

/**
 * One SMTP session with the upstream, sending raw mails one after the other (RFC 5321, with PIPELINING (RFC 2920)
 * when offered, STARTTLS (RFC 3207) and AUTH PLAIN / LOGIN). A mail goes out as its stored bytes: dot-stuffed and
 * with bare CR or LF turned into CRLF only when it needs that, which a mail caught over SMTP never does, so the
 * common case copies nothing and makes two socket writes per mail.
 */
export class SmtpSession {
  readonly #options: SessionOptions;
  #socket: net.Socket;
  #text = '';
  #lines: string[] = [];
  readonly #awaited: Awaited[] = [];
  #extensions = new Map<string, string>();
  #ended = false;
  #upgrading = false;
  /** Told once when the session ends, whatever ended it. */
  onEnd?: () => void;

  private constructor(options: SessionOptions) {
    this.#options = options;
    const { host, port, secure, rejectUnauthorized } = options;
    this.#socket = secure
      ? tls.connect({ host, port, servername: serverName(host), rejectUnauthorized })
      : net.connect({ host, port });
    this.#listen(this.#socket);
  }

  /**
   * Connects, reads the greeting, says EHLO, upgrades with STARTTLS when offered, and logs in when asked to.
   * `signal` gives up on the way (the pool is closing).
   */
  static async open(options: SessionOptions, signal?: AbortSignal): Promise<SmtpSession> {
    const session = new SmtpSession(options);
    const setup = setTimeout(
      () =>
        session.#fail(new SmtpError('The upstream did not finish the session setup in time', 'ETIMEDOUT')),
      options.setupTimeoutMs,
    );
    const abort = () => session.#fail(new SmtpError('Connecting was given up', 'ECONNECTION'));
    signal?.addEventListener('abort', abort);
    try {
      if (signal?.aborted) abort();
      await session.#setUp();
      return session;
    } catch (err) {
      session.close();
      throw err;
    } finally {
      clearTimeout(setup);
      signal?.removeEventListener('abort', abort);
    }
  }

  get ended(): boolean {
    return this.#ended;
  }

  /**
   * One mail transaction. Resolves with the upstream's reply once it has taken the mail for at least one recipient;
   * rejects with an SmtpError otherwise. After an EENVELOPE or EMESSAGE refusal the session can go on (after reset()).
   */
  async send(envelope: { from: string; to: string[] }, message: Buffer): Promise<Delivery> {
    this.#check();
    const utf8 = /[\u0080-\uffff]/.test(envelope.from + envelope.to.join(''));
    const params = [
      ...(this.#extensions.has('SIZE') ? [`SIZE=${message.length}`] : []),
      // 8-bit content is declared where the upstream understands the declaration (RFC 6152).
      ...(this.#extensions.has('8BITMIME') && !isAscii(message) ? ['BODY=8BITMIME'] : []),
      ...(utf8 && this.#extensions.has('SMTPUTF8') ? ['SMTPUTF8'] : []),
    ];
    for (const address of [envelope.from, ...envelope.to]) {
      if (/[\r\n<>]/.test(address))
        throw new SmtpError(`Invalid address ${JSON.stringify(address)}`, 'EENVELOPE');
    }
    const mailFrom = `MAIL FROM:<${envelope.from}>${params.length ? ' ' + params.join(' ') : ''}`;
    const rcpts = envelope.to.map((address) => `RCPT TO:<${address}>`);

    let mailReply: string;
    let rcptReplies: string[];
    let dataReply: string;
    if (this.#extensions.has('PIPELINING')) {
      const replies = await this.#commands([mailFrom, ...rcpts, 'DATA']);
      mailReply = replies[0]!;
      rcptReplies = replies.slice(1, -1);
      dataReply = replies.at(-1)!;
    } else {
      mailReply = await this.#command(mailFrom);
      if (!isPositive(mailReply)) throw new SmtpError('Mail command failed', 'EENVELOPE', mailReply);
      rcptReplies = [];
      for (const rcpt of rcpts) rcptReplies.push(await this.#command(rcpt));
      dataReply = rcptReplies.some(isPositive) ? await this.#command('DATA') : '';
    }

    const accepted = envelope.to.filter((_, i) => isPositive(rcptReplies[i]!));
    const rejected = envelope.to.filter((_, i) => !isPositive(rcptReplies[i]!));
    const dataOpen = dataReply.startsWith('3');
    if (!isPositive(mailReply)) {
      // A server that refused the sender yet opened DATA cannot be trusted with the session any further.
      if (dataOpen) this.close();
      throw new SmtpError('Mail command failed', 'EENVELOPE', mailReply);
    }
    if (!accepted.length) {
      const last = rcptReplies.at(-1);
      // It must refuse DATA without a recipient; one that opened it anyway gets an empty mail ended at once.
      if (dataOpen) await this.#commands(['.']);
      throw new SmtpError("Can't send mail - all recipients were rejected", 'EENVELOPE', last);
    }
    if (!dataOpen && !isPositive(dataReply))
      throw new SmtpError('Data command failed', 'EENVELOPE', dataReply);

    const reply = this.#expect(1);
    const socket = this.#socket;
    socket.cork();
    const [body, end] = dataBlock(message);
    socket.write(body);
    socket.write(end);
    socket.uncork();
    let final: string;
    try {
      [final] = (await reply) as [string];
    } catch (err) {
      (err as SmtpError).afterData = true;
      throw err;
    }
    if (!isPositive(final)) {
      throw Object.assign(new SmtpError('Message failed', 'EMESSAGE', final), { afterData: true });
    }
    return { response: final, rejected };
  }

  /** RSET: ends a refused transaction so the session can carry the next mail. */
  async reset(): Promise<void> {
    this.#check();
    const reply = await this.#command('RSET');
    if (!isPositive(reply)) throw new SmtpError('Could not reset the session', 'EPROTOCOL', reply);
  }

  /**
   * QUIT, then the connection closes once the upstream answers, or after QUIT_WAIT_MS; meanwhile it does not keep
   * the process alive.
   */
  quit(): void {
    if (this.#ended) return;
    this.#expect(1).then(
      () => this.close(),
      () => undefined,
    );
    this.#socket.write('QUIT\r\n');
    this.#socket.unref();
    setTimeout(() => this.close(), QUIT_WAIT_MS).unref();
  }

  /** Drops the connection at once; a transaction under way fails with ECONNECTION. */
  close(): void {
    this.#fail(new SmtpError('The connection was closed', 'ECONNECTION'));
  }

  async #setUp(): Promise<void> {
    const [greeting] = await this.#expect(1);
    if (!greeting!.startsWith('220')) throw new SmtpError('Invalid greeting', 'EPROTOCOL', greeting);
    await this.#hello();
    if (!this.#options.secure && this.#extensions.has('STARTTLS')) {
      const reply = await this.#command('STARTTLS');
      if (!isPositive(reply)) throw new SmtpError('STARTTLS was refused', 'ETLS', reply);
      await this.#upgrade();
      await this.#hello();
    }
    const { auth } = this.#options;
    if (auth && this.#extensions.has('AUTH')) await this.#login(auth);
  }

  /** EHLO, or HELO for a server that knows no extensions; remembers the extensions offered. */
  async #hello(): Promise<void> {
    const name = clientName();
    const reply = await this.#command(`EHLO ${name}`);
    this.#extensions = new Map();
    if (!isPositive(reply)) {
      const helo = await this.#command(`HELO ${name}`);
      if (!isPositive(helo)) throw new SmtpError('HELO was refused', 'EPROTOCOL', helo);
      return;
    }
    for (const line of reply.split('\n').slice(1)) {
      const [keyword = '', ...rest] = line
        .slice(4)
        .trim()
        .split(/[\s=]+/);
      this.#extensions.set(keyword.toUpperCase(), rest.join(' ').toUpperCase());
    }
  }

  /** Swaps the plain socket for a TLS one over it (the session's state is dropped, EHLO comes again). */
  async #upgrade(): Promise<void> {
    const plain = this.#socket;
    this.#unlisten(plain);
    plain.on('error', () => undefined); // the TLS socket over it reports what goes wrong
    const { host, rejectUnauthorized } = this.#options;
    const secure = tls.connect({ socket: plain, servername: serverName(host), rejectUnauthorized });
    this.#socket = secure;
    this.#text = '';
    this.#lines = [];
    this.#upgrading = true;
    // Settled by the handshake, or failed with the session (a TLS error, a close, the setup timeout).
    const handshake = this.#expect(1);
    secure.once('secureConnect', () => {
      this.#upgrading = false;
      this.#awaited.shift()?.resolve([]);
    });
    this.#listen(secure);
    await handshake;
  }

  async #login(auth: { user: string; pass: string }): Promise<void> {
    const mechanisms = this.#extensions.get('AUTH')!.split(' ');
    const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
    let reply: string;
    if (mechanisms.includes('PLAIN')) {
      reply = await this.#command(`AUTH PLAIN ${b64(`\0${auth.user}\0${auth.pass}`)}`);
    } else if (mechanisms.includes('LOGIN')) {
      reply = await this.#command('AUTH LOGIN');
      if (reply.startsWith('334')) reply = await this.#command(b64(auth.user));
      if (reply.startsWith('334')) reply = await this.#command(b64(auth.pass));
    } else {
      throw new SmtpError(
        `No supported AUTH mechanism (the upstream offers ${mechanisms.join(', ')})`,
        'EAUTH',
      );
    }
    if (!reply.startsWith('235')) throw new SmtpError('Invalid login', 'EAUTH', reply);
  }

  async #command(line: string): Promise<string> {
    const [reply] = await this.#commands([line]);
    return reply!;
  }

  /** Writes the lines in one go and resolves with one reply per line. */
  #commands(lines: string[]): Promise<string[]> {
    this.#check();
    const replies = this.#expect(lines.length);
    this.#socket.write(lines.join('\r\n') + '\r\n');
    return replies;
  }

  #expect(count: number): Promise<string[]> {
    return new Promise((resolve, reject) => {
      if (this.#ended) reject(new SmtpError('The connection is closed', 'ECONNECTION'));
      else this.#awaited.push({ count, replies: [], resolve, reject });
    });
  }

  #check(): void {
    if (this.#ended) throw new SmtpError('The connection is closed', 'ECONNECTION');
  }

  readonly #onData = (chunk: Buffer) => {
    this.#text += chunk.toString('latin1');
    let newline: number;
    while ((newline = this.#text.indexOf('\n')) !== -1) {
      const line = this.#text.slice(0, newline).replace(/\r$/, '');
      this.#text = this.#text.slice(newline + 1);
      this.#lines.push(line);
      if (line.charAt(3) === '-') continue; // more lines of the same reply follow
      const reply = this.#lines.join('\n');
      this.#lines = [];
      this.#reply(reply);
      if (this.#ended) return;
    }
    if (this.#text.length > MAX_REPLY_CHARS) {
      this.#fail(new SmtpError('The upstream sent a reply line too long to be SMTP', 'EPROTOCOL'));
    }
  };

  #reply(reply: string): void {
    const awaited = this.#awaited[0];
    if (!awaited) {
      // Nothing was asked: a server that is closing the session says so (421); anything else is noise.
      if (reply.startsWith('421'))
        this.#fail(new SmtpError('The upstream closed the session', 'ECONNECTION', reply));
      return;
    }
    awaited.replies.push(reply);
    if (awaited.replies.length < awaited.count) return;
    this.#awaited.shift();
    awaited.resolve(awaited.replies);
  }

  readonly #onError = (err: Error & { code?: string }) => {
    if (this.#upgrading)
      return void this.#fail(new SmtpError(`Error initiating TLS - ${err.message}`, 'ETLS'));
    const code = err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET' ? 'ECONNECTION' : 'ESOCKET';
    this.#fail(new SmtpError(err.message, code));
  };

  readonly #onClose = () => {
    this.#fail(new SmtpError('Connection closed unexpectedly', 'ECONNECTION'));
  };

  readonly #onTimeout = () => {
    this.#fail(new SmtpError('The upstream did not answer in time', 'ETIMEDOUT'));
  };

  #listen(socket: net.Socket): void {
    socket.setNoDelay(true);
    socket.setTimeout(this.#options.socketTimeoutMs);
    socket.on('data', this.#onData);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
    socket.on('timeout', this.#onTimeout);
  }

  #unlisten(socket: net.Socket): void {
    socket.off('data', this.#onData);
    socket.off('error', this.#onError);
    socket.off('close', this.#onClose);
    socket.off('timeout', this.#onTimeout);
  }

  /** Ends the session once: every reply still awaited fails with `err`, the socket goes, onEnd is told. */
  #fail(err: SmtpError): SmtpError {
    if (this.#ended) return err;
    this.#ended = true;
    for (const awaited of this.#awaited.splice(0)) awaited.reject(err);
    this.#unlisten(this.#socket);
    this.#socket.on('error', () => undefined); // late errors of a socket being torn down say nothing new
    this.#socket.destroy();
    this.onEnd?.();
    return err;
  }
}

/** SNI takes a host name, never an address. */
function serverName(host: string): string | undefined {
  return net.isIP(host) ? undefined : host;
}

/**
 * The mail as DATA carries it: lines that start with a dot get another one (RFC 5321 §4.5.2), bare CR and bare LF
 * become CRLF (so no receiver can read a different end of data into it), then CRLF.CRLF ends it. Returns the body and
 * the ending; the body is the mail itself, not a copy, when it needs none of that.
 */
export function dataBlock(mail: Buffer): [Buffer, Buffer] {
  const ending = mail.length && mail[mail.length - 1] === 0x0a ? DOT_CRLF : CRLF_DOT_CRLF;
  if (isDataSafe(mail)) return [mail, ending];
  const out: number[] = [];
  let prev = 0x0a; // the start of the mail is the start of a line
  for (const byte of mail) {
    if (prev === 0x0d && byte !== 0x0a) out.push(0x0a); // a bare CR becomes CRLF
    if (byte === 0x0a && prev !== 0x0d) out.push(0x0d); // a bare LF becomes CRLF
    if (byte === 0x2e && (prev === 0x0a || prev === 0x0d)) out.push(0x2e); // a dot starting a line is doubled
    out.push(byte);
    prev = byte;
  }
  if (prev === 0x0d) out.push(0x0a);
  const body = Buffer.from(out);
  return [body, body.length && body[body.length - 1] === 0x0a ? DOT_CRLF : CRLF_DOT_CRLF];
}

/** True when every line ends in CRLF and none starts with a dot: the mail can go out as it is. */
function isDataSafe(mail: Buffer): boolean {
  if (mail[0] === 0x2e) return false;
  for (let lf = mail.indexOf(0x0a); lf !== -1; lf = mail.indexOf(0x0a, lf + 1)) {
    if (lf === 0 || mail[lf - 1] !== 0x0d || mail[lf + 1] === 0x2e) return false;
  }
  for (let cr = mail.indexOf(0x0d); cr !== -1; cr = mail.indexOf(0x0d, cr + 1)) {
    if (mail[cr + 1] !== 0x0a) return false;
  }
  return true;
}
