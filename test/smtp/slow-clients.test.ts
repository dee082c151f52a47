// A client that sends one byte at a time never looks idle, so an idle timeout alone lets it hold a connection for
// ever; enough of them and nobody else gets in. These clients drip over real sockets against limits set low with
// the flags, and the server must cut them with a 421 and keep serving everyone else.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { MessagesSummary } from '../../src-main/wire/types.js';
import { getJson, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

/** How often a dripping client sends its next byte: far more often than the idle timeout. */
const DRIP_EVERY_MS = 100;
/** A dripping client gives up after this many bytes (a bound for the test, not a limit of the server). */
const MAX_DRIPS = 300;
/** As many drippers as the server takes connections by default. */
const DRIPPERS = 100;
/** Attempts of a well-behaved client to get its mail through while the drippers hold their connections. */
const SEND_ATTEMPTS = 150;

interface Dripper {
  /** Resolves once the client has started dripping (or the connection closed before it could). */
  dripping: Promise<void>;
  /** Everything the server said, once it has closed the connection. */
  closed: Promise<string>;
  stop(): void;
}

/** Final reply lines received so far (`250 …`, not `250-…`). */
const finalReplies = (text: string) => (text.match(/^\d{3} /gm) ?? []).length;

/**
 * Connects, waits for the greeting, sends `commands` one at a time (each after the reply to the one before), then
 * sends `drip` one byte every DRIP_EVERY_MS, over and over, until the server closes the connection.
 */
function dripper(t: TestSandbox, commands: string[], drip: string): Dripper {
  const socket: Socket = connect(t.smtpPort, t.smtpHost);
  let received = '';
  let timer: NodeJS.Timeout | undefined;
  let sent = 0;
  let started!: () => void;
  const dripping = new Promise<void>((resolve) => (started = resolve));
  const stop = () => {
    clearInterval(timer);
    socket.destroy();
  };
  const closed = new Promise<string>((resolve) => {
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      started();
      resolve(received);
    });
  });
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    received += chunk;
    const replies = finalReplies(received);
    if (timer || replies < 1) return;
    if (replies <= commands.length) {
      if (replies === finalReplies(received.slice(0, received.length - chunk.length)) + 1)
        socket.write(`${commands[replies - 1]}\r\n`);
      return;
    }
    timer = setInterval(() => {
      if (sent >= MAX_DRIPS) return stop();
      socket.write(drip[sent++ % drip.length]!);
    }, DRIP_EVERY_MS);
    started();
  });
  return { dripping, closed, stop };
}

const ENVELOPE = ['EHLO dripper.test', 'MAIL FROM:<slow@acme.test>', 'RCPT TO:<someone@example.org>', 'DATA'];

describe('slow SMTP clients', () => {
  let t: TestSandbox | undefined;
  const drippers: Dripper[] = [];
  afterEach(async () => {
    for (const d of drippers.splice(0)) d.stop();
    await t?.stop();
    t = undefined;
  });

  it('closes a client that drips one command line past --smtp-command-timeout with a 421', async () => {
    t = await startSandbox({ dataDir: ':memory:', smtpCommandTimeout: '1s' });
    const d = dripper(t, [], `EHLO ${'a'.repeat(MAX_DRIPS)}\r\n`);
    drippers.push(d);
    const transcript = await d.closed;
    expect(transcript).toMatch(
      /^421 4\.4\.2 A command took longer than 1 s to arrive, closing connection\r$/m,
    );
    expect(t.logs.some((l) => l.tag === 'smtp' && /took too long to send a command/.test(l.message))).toBe(
      true,
    );
  });

  it('closes a client whose DATA takes longer than --smtp-data-timeout, and stores nothing of it', async () => {
    t = await startSandbox({ dataDir: ':memory:', smtpDataTimeout: '1s' });
    // Whole lines, each well within the command limit: only the total time of the DATA is too long.
    const d = dripper(t, ENVELOPE, 'Subject: slow\r\n');
    drippers.push(d);
    const transcript = await d.closed;
    expect(transcript).toMatch(/^354 /m);
    expect(transcript).toMatch(
      /^421 4\.4\.2 The mail took longer than 1 s to arrive, closing connection\r$/m,
    );
    const list = await getJson<MessagesSummary>(`${t.http}/api/v1/messages`);
    expect(list.total).toBe(0);
  });

  it(`still serves another client while ${DRIPPERS} drippers are connected`, async () => {
    t = await startSandbox({
      dataDir: ':memory:',
      smtpCommandTimeout: '1s',
      smtpDataTimeout: '1s',
      maxConnections: String(DRIPPERS),
    });
    for (let i = 0; i < DRIPPERS; i++) {
      // Half drip a command, half a mail: both kinds must give their place up.
      drippers.push(
        i % 2 ? dripper(t, [], `HELO ${'b'.repeat(MAX_DRIPS)}\r\n`) : dripper(t, ENVELOPE, 'x\r\n'),
      );
    }
    await Promise.all(drippers.map((d) => d.dripping));
    const transport = smtpTransport(t);
    let response = '';
    for (let attempt = 0; attempt < SEND_ATTEMPTS && !response; attempt++) {
      try {
        const info = await transport.sendMail({
          from: 'patient@acme.test',
          to: 'someone@example.org',
          subject: 'through the crowd',
          text: 'hello',
        });
        response = info.response;
      } catch {
        // 421 too many clients: the drippers still hold every place.
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    transport.close();
    expect(response).toMatch(/^250 /);
    const transcripts = await Promise.all(drippers.map((d) => d.closed));
    expect(transcripts.filter((text) => /^421 4\.4\.2 /m.test(text)).length).toBe(DRIPPERS);
    const list = await getJson<MessagesSummary>(`${t.http}/api/v1/messages`);
    expect(list.messages.map((m) => m.Subject)).toEqual(['through the crowd']);
  });
});
