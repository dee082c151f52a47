import { ALL_INBOXES, type InboxScope } from '../model/inbox.js';
import { timingSafeEqual } from 'node:crypto';
import type { LoginThrottle } from './login-throttle.js';
import type { Pop3Mailbox } from './mailbox.js';
import { WIRE_CHUNK, encodeMultiline } from './wire.js';

/** What a session asks of its connection. */
export interface SessionIo {
  write(text: string): void;
  /** Sends the chunks one after the other, each once the socket has taken the previous ones. */
  stream(chunks: AsyncIterable<Buffer>): Promise<void>;
  /** Sends nothing more and closes. */
  end(): void;
  /** Switches the connection to TLS (after "+OK" went out); false when TLS is not available. */
  startTls?: () => void;
  readonly secure: boolean;
}

export interface SessionOptions {
  mailbox: Pop3Mailbox;
  /** The one login that opens the mailbox. */
  auth: { user: string; pass: string };
  /** The inboxes a login opens (undefined: refused); without it, `auth` opens every mail. */
  login?: (user: string, pass: string) => Promise<InboxScope | undefined>;
  tls: boolean;
  /** Spaces out login attempts per client address (shared by every connection). */
  throttle: LoginThrottle;
  /** The client's address, for the throttle. */
  remoteAddress: string;
}

interface Entry {
  id: string;
  size?: number;
  /** Its line ends are all CRLF: it goes out as it is but for its dots. */
  crlf?: boolean;
  deleted: boolean;
}

/** Wrong passwords before the connection is closed. */
const MAX_AUTH_FAILURES = 3;

/** Unknown or misplaced commands before the connection is closed: a client that speaks POP3 sends very few. */
const MAX_UNKNOWN_COMMANDS = 5;

/**
 * A line of an HTTP request: its request line, or a header line (`Host: …`). A web page can make the browser
 * send a POST to this port, its body full of POP3 commands; such a connection is closed at its first line, as
 * smtp-server does for SMTP, before any of the body is read as commands.
 */
const HTTP_LINE =
  /^(?:(?:GET|HEAD|POST|PUT|DELETE|OPTIONS|TRACE|CONNECT|PATCH|PRI) |HTTP\/\d|[!#$%&'*+.^_`|~0-9A-Za-z-]+:)/i;

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * One POP3 conversation (RFC 1939 with CAPA, UIDL, TOP, USER/PASS from RFC 2449 and STLS from RFC 2595): the
 * AUTHORIZATION state until a good PASS, then TRANSACTION over a snapshot of the mailbox; QUIT enters UPDATE and
 * deletes what DELE marked.
 */
export class Pop3Session {
  readonly #io: SessionIo;
  readonly #options: SessionOptions;
  #state: 'authorization' | 'transaction' | 'done' = 'authorization';
  #user: string | undefined;
  #failures = 0;
  /** The inboxes the login opened. */
  #scope: InboxScope = ALL_INBOXES;
  #unknown = 0;
  #entries: Entry[] = [];

  constructor(io: SessionIo, options: SessionOptions) {
    this.#io = io;
    this.#options = options;
  }

  greet(): void {
    this.#ok('Mailbeacon POP3 ready');
  }

  get done(): boolean {
    return this.#state === 'done';
  }

  /**
   * One command line, without its line end. A promise when the reply takes time (a streamed mail, a delayed
   * login): the next line waits for it.
   */
  handle(line: string): Promise<void> | void {
    if (this.#state === 'done') return;
    if (HTTP_LINE.test(line)) return this.#close('this is a POP3 server, not HTTP');
    const space = line.indexOf(' ');
    const verb = (space === -1 ? line : line.slice(0, space)).toUpperCase();
    const arg = space === -1 ? '' : line.slice(space + 1);
    if (verb === 'CAPA') return this.#capa();
    if (verb === 'QUIT') return this.#quit();
    if (verb === 'NOOP' && this.#state === 'transaction') return this.#ok('');
    if (this.#state === 'authorization') {
      if (verb === 'USER') return this.#userCommand(arg);
      if (verb === 'PASS') return this.#pass(arg);
      if (verb === 'STLS') return this.#stls();
      return this.#unknownCommand(
        `${verb.slice(0, 20) || 'empty command'} is not allowed before login (USER, PASS, STLS, CAPA, QUIT)`,
      );
    }
    const args = arg.split(' ').filter(Boolean);
    switch (verb) {
      case 'STAT':
        return this.#stat();
      case 'LIST':
        return this.#list(args[0]);
      case 'UIDL':
        return this.#uidl(args[0]);
      case 'RETR':
        return this.#retr(args[0], Infinity);
      case 'TOP': {
        const lines = Number(args[1]);
        if (!/^\d+$/.test(args[1] ?? '') || !Number.isSafeInteger(lines))
          return this.#err('usage: TOP msg lines');
        return this.#retr(args[0], lines);
      }
      case 'DELE':
        return this.#dele(args[0]);
      case 'RSET':
        for (const e of this.#entries) e.deleted = false;
        return this.#ok(`${this.#entries.length} messages`);
      case 'STLS':
        return this.#err('STLS is only allowed before login');
      default:
        return this.#unknownCommand(`unknown command ${verb.slice(0, 20)}`);
    }
  }

  #unknownCommand(text: string): void {
    if (++this.#unknown >= MAX_UNKNOWN_COMMANDS) return this.#close(`${text}; too many unknown commands`);
    this.#err(text);
  }

  /** The last reply: nothing the client sends after it is read. */
  #close(text: string): void {
    this.#state = 'done';
    this.#err(`${text}, closing`);
    this.#io.end();
  }

  #ok(text: string): void {
    this.#io.write(text ? `+OK ${text}\r\n` : '+OK\r\n');
  }

  #err(text: string): void {
    this.#io.write(`-ERR ${text}\r\n`);
  }

  #capa(): void {
    const caps = ['USER', 'UIDL', 'TOP', 'RESP-CODES', 'AUTH-RESP-CODE', 'IMPLEMENTATION Mailbeacon'];
    if (this.#options.tls && !this.#io.secure && this.#state === 'authorization') caps.push('STLS');
    this.#io.write(`+OK capabilities follow\r\n${caps.join('\r\n')}\r\n.\r\n`);
  }

  #userCommand(name: string): void {
    if (!name) return this.#err('usage: USER name');
    this.#user = name;
    this.#ok('send PASS');
  }

  async #pass(pass: string): Promise<void> {
    if (this.#user === undefined) return this.#err('USER first');
    const user = this.#user;
    this.#user = undefined;
    const { throttle, remoteAddress, auth } = this.#options;
    const wait = throttle.reserve(remoteAddress);
    if (wait === undefined)
      return this.#close('[SYS/TEMP] too many failed logins from your address, try later');
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (this.#state === 'done') return;
    const scope = this.#options.login
      ? await this.#options.login(user, pass)
      : sameText(user, auth.user) && sameText(pass, auth.pass)
        ? ALL_INBOXES
        : undefined;
    if (!scope) {
      throttle.failed(remoteAddress);
      if (++this.#failures >= MAX_AUTH_FAILURES) return this.#close('[AUTH] invalid credentials');
      return this.#err('[AUTH] invalid credentials');
    }
    throttle.succeeded(remoteAddress);
    this.#scope = scope;
    const ids = await this.#options.mailbox.ids(scope);
    if (this.#ended()) return; // the connection closed meanwhile
    this.#entries = ids.map((id) => ({ id, deleted: false }));
    this.#state = 'transaction';
    this.#ok(`${this.#entries.length} messages`);
  }

  #ended(): boolean {
    return this.#state === 'done';
  }

  #stls(): void {
    if (!this.#options.tls || !this.#io.startTls) return this.#err('TLS is not available');
    if (this.#io.secure) return this.#err('already using TLS');
    this.#ok('begin TLS negotiation');
    this.#io.startTls();
  }

  /** The entry a message-number argument names, or undefined after an error reply. */
  #entry(arg: string | undefined): Entry | undefined {
    const n = /^\d{1,9}$/.test(arg ?? '') ? Number(arg) : 0;
    const entry = this.#entries[n - 1];
    if (!entry) {
      this.#err(`no such message${arg ? ` ${arg.slice(0, 20)}` : ''}`);
      return undefined;
    }
    if (entry.deleted) {
      this.#err(`message ${n} already deleted`);
      return undefined;
    }
    return entry;
  }

  /** Size on the wire; a mail deleted from the store meanwhile counts 0 (RETR then says it is gone). */
  async #size(entry: Entry): Promise<number> {
    if (entry.size === undefined) {
      const measure = await this.#options.mailbox.measure(entry.id);
      entry.size = measure?.octets ?? 0;
      entry.crlf = measure?.crlf ?? false;
    }
    return entry.size;
  }

  async #stat(): Promise<void> {
    const live = this.#entries.filter((e) => !e.deleted);
    let total = 0;
    for (const e of live) total += await this.#size(e);
    this.#ok(`${live.length} ${total}`);
  }

  async #list(arg: string | undefined): Promise<void> {
    if (arg !== undefined) {
      const entry = this.#entry(arg);
      if (entry) this.#ok(`${arg} ${await this.#size(entry)}`);
      return;
    }
    const lines: string[] = [];
    for (const [i, e] of this.#entries.entries())
      if (!e.deleted) lines.push(`${i + 1} ${await this.#size(e)}\r\n`);
    this.#io.write(`+OK ${lines.length} messages\r\n${lines.join('')}.\r\n`);
  }

  #uidl(arg: string | undefined): void {
    if (arg !== undefined) {
      const entry = this.#entry(arg);
      if (entry) this.#ok(`${arg} ${entry.id}`);
      return;
    }
    const lines = this.#entries.flatMap((e, i) => (e.deleted ? [] : [`${i + 1} ${e.id}\r\n`]));
    this.#io.write(`+OK\r\n${lines.join('')}.\r\n`);
  }

  /** Streams the mail piece by piece from the store: only a piece of it and a chunk of wire text are held. */
  async #retr(arg: string | undefined, bodyLines: number): Promise<void> {
    const entry = this.#entry(arg);
    if (!entry) return;
    // The size LIST reported when known (the entry keeps it), so a large mail is not counted twice.
    const size = await this.#size(entry);
    const mail = await this.#options.mailbox.open(entry.id);
    if (!mail || this.#state === 'done') {
      if (!mail) this.#err(`message ${arg} was deleted from Mailbeacon meanwhile`);
      return;
    }
    this.#ok(`${size} octets`);
    return this.#io.stream(encodeMultiline(mail, bodyLines, WIRE_CHUNK, entry.crlf));
  }

  #dele(arg: string | undefined): void {
    const entry = this.#entry(arg);
    if (!entry) return;
    entry.deleted = true;
    this.#ok(`message ${arg} deleted`);
  }

  async #quit(): Promise<void> {
    const doomed = this.#entries.filter((e) => e.deleted).map((e) => e.id);
    this.#state = 'done';
    if (doomed.length) await this.#options.mailbox.delete(doomed, this.#scope);
    this.#ok(`bye${doomed.length ? `, ${doomed.length} deleted` : ''}`);
    this.#io.end();
  }
}
