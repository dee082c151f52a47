// POP3 against hostile clients, through the real listener: a web page that POSTs POP3 commands to the port, HTTP and
// unknown lines, a client that never reads its replies, password guessing. Each leaves the caught mails alone and the
// listener serving others.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, queuedId, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

const run = promisify(execFile);
const CLIENT = join(import.meta.dirname, 'client.py');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function send(t: TestSandbox, mail: Record<string, unknown>): Promise<string> {
  const transport = smtpTransport(t);
  try {
    return queuedId(
      (await transport.sendMail({ from: 'app@shop.test', to: 'ann@example.org', ...mail })).response,
    );
  } finally {
    transport.close();
  }
}

const stored = async (t: TestSandbox) =>
  (await getJson<{ Messages: number }>(`${t.http}/api/v1/info`)).Messages;

const hostPort = (address: string) => {
  const [host, port] = address.split(/:(?=\d+$)/);
  return { host: host!, port: Number(port) };
};

/** A bare connection that records what the server says and whether it closed the connection. */
interface Raw {
  socket: Socket;
  text: () => string;
  closed: () => boolean;
}

function rawSession(address: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    let text = '';
    let closed = false;
    const socket = connect(hostPort(address));
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('close', () => (closed = true));
    socket.on('error', () => {});
    socket.once('connect', () => resolve({ socket, text: () => text, closed: () => closed }));
    socket.once('error', reject);
  });
}

/** Polls until `check` holds, at most 10 s (a bound for a failing test, never a speed check). */
const until = async (check: () => boolean) => {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  return check();
};

async function poplib(t: TestSandbox, steps: (string | number)[][]): Promise<Record<string, unknown>[]> {
  const { host, port } = hostPort(t.sandbox.addresses.pop3!);
  const { stdout } = await run('python3', [CLIENT, host, String(port), JSON.stringify(steps)], {
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as Record<string, unknown>[];
}

describe('POP3 and a web page', () => {
  let t: TestSandbox;
  let browser: Browser;
  let site: Server;
  let siteUrl: string;

  beforeAll(async () => {
    t = await startSandbox({ pop3: '127.0.0.1:0' });
    await send(t, { subject: 'Keep me', text: 'one' });
    await send(t, { subject: 'Keep me too', text: 'two' });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    // The attacker's site: any origin will do, the page only needs to run a script.
    site = createServer((_req, res) =>
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html>'),
    );
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await browser?.close();
    site?.close();
    await t?.stop();
  });

  it('a no-cors POST carrying USER/PASS/DELE/QUIT (with the right login) deletes nothing', async () => {
    expect(await stored(t)).toBe(2);
    const { user, pass } = t.sandbox.pop3Login!;
    const page = await browser.newPage();
    try {
      await page.goto(siteUrl);
      const outcome = await page.evaluate(
        async ({ port, body }) => {
          try {
            await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', mode: 'no-cors', body });
            return 'answered';
          } catch (err) {
            return String(err);
          }
        },
        {
          port: hostPort(t.sandbox.addresses.pop3!).port,
          // Padding after the commands keeps the browser sending (and not yet reading the greeting) while the
          // commands are read, as a page wanting to succeed would do.
          body: `USER ${user}\r\nPASS ${pass}\r\nDELE 1\r\nDELE 2\r\nQUIT\r\n${'-\r\n'.repeat(1 << 20)}`,
        },
      );
      expect(outcome).toMatch(/Failed to fetch|answered/);
    } finally {
      await page.close();
    }
    // A session of a real client after the page's: the same two mails, nothing deleted.
    const out = await poplib(t, [['login', user, pass], ['stat'], ['quit']]);
    expect(out[2]!.stat).toEqual([2, expect.any(Number)]);
    expect(await stored(t)).toBe(2);
  });

  it('closes at the first line that looks like HTTP, answering none of the rest', async () => {
    for (const first of ['POST / HTTP/1.1', 'GET /x HTTP/1.0', 'OPTIONS * HTTP/1.1', 'Host: 127.0.0.1:110']) {
      const s = await rawSession(t.sandbox.addresses.pop3!);
      await until(() => s.text().includes('\r\n'));
      s.socket.write(
        `${first}\r\nUser-Agent: x\r\nContent-Type: text/plain\r\n\r\nUSER a\r\nPASS b\r\nQUIT\r\n`,
      );
      expect(await until(s.closed), `closed after ${first}`).toBe(true);
      const replies = s.text().trim().split('\r\n');
      expect(replies).toHaveLength(2);
      expect(replies[1]).toMatch(/^-ERR this is a POP3 server, not HTTP, closing/);
    }
  });

  it('closes after a few unknown commands', async () => {
    const s = await rawSession(t.sandbox.addresses.pop3!);
    await until(() => s.text().includes('\r\n'));
    s.socket.write('XYZZY\r\n'.repeat(20));
    expect(await until(s.closed)).toBe(true);
    const errors = s.text().match(/^-ERR/gm) ?? [];
    expect(errors.length).toBe(5);
    expect(s.text()).toMatch(/too many unknown commands, closing/);
  });
});

describe('POP3 and clients that take without giving', () => {
  let t: TestSandbox;
  let login: { user: string; pass: string };

  beforeAll(async () => {
    t = await startSandbox({ pop3: '127.0.0.1:0', pop3Auth: 'dev:s3cret-pass' });
    login = { user: 'dev', pass: 's3cret-pass' };
    // 2 MB of short lines, many starting with a dot: streamed in many chunks.
    await send(t, { subject: 'Big', text: '.dot line\r\nplain\r\n'.repeat(110_000) });
  });
  afterAll(() => t?.stop());

  it('serves the large mail byte for byte to poplib, chunk after chunk', async () => {
    const out = await poplib(t, [['login', login.user, login.pass], ['list'], ['retr', 1], ['quit']]);
    const size = Number((out[2]!.list as string[])[0]!.split(' ')[1]);
    const body = Buffer.from(out[3]!.retr as string, 'base64');
    const raw = Buffer.from(
      await (await fetch(`${t.http}/api/v1/message/latest/raw?version=tracked`)).arrayBuffer(),
    );
    expect(body.length).toBe(size);
    expect(body.equals(raw)).toBe(true);
  });

  it('cuts off a client that asks for mails and never reads the replies; others are served meanwhile', async () => {
    const s = await rawSession(t.sandbox.addresses.pop3!);
    s.socket.pause(); // reads nothing from here on
    s.socket.write(`USER ${login.user}\r\nPASS ${login.pass}\r\n`);
    let written = 0;
    // Bounded: 64 MB of requests at most; the server must have closed long before.
    while (!s.closed() && written < 64 * 1024 * 1024) {
      const chunk = 'RETR 1\r\n'.repeat(8192);
      written += chunk.length;
      if (!s.socket.write(chunk)) await Promise.race([once(s.socket, 'drain'), until(s.closed)]);
    }
    expect(s.closed()).toBe(true);
    s.socket.destroy();
    const other = await poplib(t, [['login', login.user, login.pass], ['stat'], ['quit']]);
    expect(other[2]!.stat).toEqual([1, expect.any(Number)]);
  });
});

describe('POP3 and a large tracked mail', () => {
  let t: TestSandbox;

  beforeAll(async () => {
    t = await startSandbox({ pop3: '127.0.0.1:0', pop3Auth: 'dev:s3cret-pass' });
    // Over 3 MB of HTML with a tracked link every 1.5 KB: stored in slices, its tracked copy as edits across them.
    const html = Array.from(
      { length: 2_000 },
      (_, i) => `<p>${'.x'.repeat(750)}</p>\n<a href="https://shop.test/p/${i}">item ${i}</a>\n`,
    ).join('');
    await send(t, { subject: 'Large tracked', html: `<html><body>${html}</body></html>` });
  });
  afterAll(() => t?.stop());

  it('streams it from the store piece by piece, byte for byte as the API serves it, and TOP alike', async () => {
    const login = ['login', 'dev', 's3cret-pass'];
    const out = await poplib(t, [login, ['list'], ['retr', 1], ['top', 1, 3], ['quit']]);
    const size = Number((out[2]!.list as string[])[0]!.split(' ')[1]);
    const body = Buffer.from(out[3]!.retr as string, 'base64');
    const tracked = Buffer.from(
      await (await fetch(`${t.http}/api/v1/message/latest/raw?version=tracked`)).arrayBuffer(),
    );
    const raw = Buffer.from(await (await fetch(`${t.http}/api/v1/message/latest/raw`)).arrayBuffer());
    expect(tracked.length).toBeGreaterThan(3 * 1024 * 1024);
    expect(tracked.equals(raw)).toBe(false);
    expect(body.length).toBe(size);
    expect(body.equals(tracked)).toBe(true);
    const head = tracked.toString('latin1').split('\r\n\r\n')[0]!.split('\r\n');
    expect((out[4]!.top as string[]).slice(0, head.length)).toEqual(head);
    expect(out[4]!.top as string[]).toHaveLength(head.length + 1 + 3);
  });
});

describe('POP3 and password guessing', () => {
  it('spaces attempts out across connections, closes after three failures, and keeps serving', async () => {
    const t = await startSandbox({ pop3: '127.0.0.1:0', pop3Auth: 'dev:right' });
    try {
      let answered = 0;
      const stopAt = Date.now() + 2_000;
      // Eight guessers side by side, each reconnecting whenever it is closed, for two seconds.
      const guesser = async () => {
        while (Date.now() < stopAt) {
          const s = await rawSession(t.sandbox.addresses.pop3!);
          let seen = 0;
          s.socket.write('USER dev\r\n');
          while (!s.closed() && Date.now() < stopAt) {
            s.socket.write(`PASS guess${answered}\r\nUSER dev\r\n`);
            const count = () => (s.text().match(/\[AUTH\] invalid credentials/g) ?? []).length;
            await until(() => count() > seen || s.closed() || Date.now() >= stopAt);
            answered += count() - seen;
            seen = count();
          }
          s.socket.destroy();
        }
      };
      await Promise.all(Array.from({ length: 8 }, guesser));
      // Without spacing this is thousands; with it, a handful in two seconds.
      expect(answered).toBeGreaterThan(0);
      expect(answered).toBeLessThan(20);
      // Another client is still answered at once (it is its login that would wait its turn).
      const s = await rawSession(t.sandbox.addresses.pop3!);
      s.socket.write('CAPA\r\n');
      expect(await until(() => /\r\n\.\r\n/.test(s.text()))).toBe(true);
      s.socket.destroy();
    } finally {
      await t.stop();
    }
  });
});

function once(emitter: Socket, event: string): Promise<void> {
  return new Promise((resolve) => emitter.once(event, () => resolve()));
}
