import { connect, type Socket } from 'node:net';

/** A reply slower than this fails the connection instead of hanging the run. */
const REPLY_TIMEOUT_MS = 30_000;

export interface SmtpLoadOptions {
  host: string;
  port: number;
  connections: number;
  /** Stop after this many mails… */
  mails: number;
  /** …or after this long, whichever comes first (a slow server must not stretch the run). */
  maxSeconds: number;
  /** The DATA content of mail `n`, already dot-stuffed, ending in CRLF. */
  message: (n: number) => Buffer;
  /** Called with the count of accepted mails every `progressEvery` mails. */
  onProgress?: (accepted: number) => void;
  progressEvery?: number;
  /** How long a reply may take (default 30 s); a mail of megabytes on a busy machine needs longer. */
  replyTimeoutMs?: number;
  /**
   * false: one command, then its reply, then the next (as Python's smtplib and most framework mailers send), instead
   * of MAIL, RCPT and DATA in one write.
   */
  pipelining?: boolean;
  /** The SMTP AUTH user name of connection `c` (AUTH PLAIN after EHLO), e.g. to spread mail over inboxes. */
  user?: (c: number) => string;
}

export interface SmtpLoadResult {
  accepted: number;
  refused: number;
  seconds: number;
  /** Accepted mails per second over the whole run. */
  rate: number;
  /** The first refusal or connection error, to explain a bad run. */
  firstError: string;
}

/** Reads complete SMTP replies (multi-line ones joined) off a socket, one promise per reply. */
class ReplyReader {
  #buffer = '';
  readonly #ready: string[] = [];
  readonly #waiting: { resolve: (r: string) => void; reject: (e: Error) => void }[] = [];
  #failure: Error | null = null;

  constructor(
    socket: Socket,
    private readonly timeoutMs = REPLY_TIMEOUT_MS,
  ) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      for (;;) {
        const m = /^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\n/.exec(this.#buffer);
        if (!m) break;
        this.#buffer = this.#buffer.slice(m[0].length);
        const reply = m[0].trimEnd();
        const waiter = this.#waiting.shift();
        if (waiter) waiter.resolve(reply);
        else this.#ready.push(reply);
      }
    });
    const fail = (err: Error) => {
      this.#failure ??= err;
      for (const w of this.#waiting.splice(0)) w.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  next(): Promise<string> {
    const ready = this.#ready.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no SMTP reply in time')), this.timeoutMs);
      this.#waiting.push({
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }
}

/**
 * Sends mails over `connections` raw SMTP connections with PIPELINING (MAIL, RCPT and DATA in one write, the content
 * after the 354), the way a fast sender does, or without (`pipelining: false`). Prebuilt content keeps the generator's own CPU time small, so the
 * server under test is what is measured.
 */
export async function runSmtpLoad(options: SmtpLoadOptions): Promise<SmtpLoadResult> {
  let claimed = 0;
  let accepted = 0;
  let refused = 0;
  let firstError = '';
  const started = performance.now();
  const deadline = started + options.maxSeconds * 1000;
  const every = options.progressEvery ?? 1000;
  const claim = (): number | null =>
    claimed < options.mails && performance.now() < deadline ? claimed++ : null;
  const fail = (why: string) => {
    refused++;
    firstError ||= why;
  };

  const connection = async (c: number): Promise<void> => {
    const socket = connect(options.port, options.host);
    socket.setNoDelay(true);
    const replies = new ReplyReader(socket, options.replyTimeoutMs);
    try {
      await replies.next();
      socket.write(`EHLO load${c}.bench.test\r\n`);
      await replies.next();
      if (options.user) {
        socket.write(`AUTH PLAIN ${Buffer.from(`\0${options.user(c)}\0bench`).toString('base64')}\r\n`);
        const auth = await replies.next();
        if (!auth.startsWith('235')) throw new Error(`AUTH refused: ${auth}`);
      }
      for (let n = claim(); n !== null; n = claim()) {
        const commands = [`MAIL FROM:<app${c}@bench.test>\r\n`, `RCPT TO:<user${n}@example.test>\r\n`, 'DATA\r\n'];
        let from: string, rcpt: string, data: string;
        if (options.pipelining === false) {
          socket.write(commands[0]!);
          from = await replies.next();
          socket.write(commands[1]!);
          rcpt = await replies.next();
          socket.write(commands[2]!);
          data = await replies.next();
        } else {
          socket.write(commands.join(''));
          [from, rcpt, data] = [await replies.next(), await replies.next(), await replies.next()];
        }
        if (!data.startsWith('354')) {
          fail(`${from} / ${rcpt} / ${data}`);
          socket.write('RSET\r\n');
          await replies.next();
          continue;
        }
        socket.write(options.message(n));
        socket.write('.\r\n');
        const reply = await replies.next();
        if (reply.startsWith('250')) {
          accepted++;
          if (accepted % every === 0) options.onProgress?.(accepted);
        } else fail(reply);
      }
      socket.write('QUIT\r\n');
      await replies.next().catch(() => '');
    } catch (err) {
      fail((err as Error).message);
    } finally {
      socket.destroy();
    }
  };

  await Promise.all(Array.from({ length: options.connections }, (_, c) => connection(c)));
  const seconds = (performance.now() - started) / 1000;
  return { accepted, refused, seconds, rate: accepted / seconds, firstError };
}
