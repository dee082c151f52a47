// The POP3 server with a real POP3 client: Python's poplib, spawned from the test, lists, retrieves (byte for byte
// what `raw?version=tracked` returns), deletes and upgrades to TLS.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src-main/logger.js';
import { storeMailbox } from '../../src-main/pop3/mailbox.js';
import { Pop3Server } from '../../src-main/pop3/server.js';
import { getJson, queuedId, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

const run = promisify(execFile);
const CLIENT = join(import.meta.dirname, 'client.py');

type Step = (string | number)[];
type Result = Record<string, unknown>;

/** Runs poplib through `steps`; a bare `['login']` logs in with the sandbox's own POP3 login. */
async function pop(t: TestSandbox, steps: Step[]): Promise<Result[]> {
  const [host, port] = t.sandbox.addresses.pop3!.split(/:(?=\d+$)/);
  const login = t.sandbox.pop3Login!;
  const filled = steps.map((s) =>
    s[0] === 'login' && s.length === 1 ? ['login', login.user, login.pass] : s,
  );
  const { stdout } = await run('python3', [CLIENT, host!, port!, JSON.stringify(filled)], {
    timeout: 30_000,
  });
  return JSON.parse(stdout) as Result[];
}

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

const tracked = async (t: TestSandbox, id: string) =>
  Buffer.from(await (await fetch(`${t.http}/api/v1/message/${id}/raw?version=tracked`)).arrayBuffer());

/** A bare socket for what poplib will not send (overlong lines, idle connections). */
function rawSession(address: string): Promise<{ socket: Socket; lines: () => string }> {
  const [host, port] = address.split(/:(?=\d+$)/);
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect({ host: host!, port: Number(port) });
    socket.on('data', (d) => (text += d.toString()));
    socket.once('error', reject);
    socket.once('connect', () => resolve({ socket, lines: () => text }));
  });
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
};

describe('POP3 without --pop3-auth (the generated login)', () => {
  let t: TestSandbox;
  let ids: string[];

  beforeAll(async () => {
    t = await startSandbox({ pop3: '127.0.0.1:0' });
    ids = [
      await send(t, {
        subject: 'Dots and links',
        // Lines starting with "." must be dot-stuffed on the wire and come back unchanged.
        text: '.leading dot\r\n..two dots\r\n.\r\nend',
        html: '<p>Hi</p>\r\n.<a href="https://shop.example/order/1">Your order</a>\r\n<p>Bye</p>',
      }),
      await send(t, { subject: 'Second', text: 'second body' }),
      await send(t, { subject: 'Third', text: 'third body' }),
    ];
  });
  afterAll(() => t.stop());

  it('lists, UIDLs and retrieves the tracked mails byte for byte', async () => {
    const info = await getJson<{ Messages: number }>(`${t.http}/api/v1/info`);
    expect(info.Messages).toBe(3);
    const bodies = await Promise.all(ids.map((id) => tracked(t, id)));
    expect(bodies[0]!.toString()).toContain('/c?t='); // the served copy carries the tracking

    const out = await pop(t, [
      ['capa'],
      ['login'],
      ['stat'],
      ['list'],
      ['uidl'],
      ['retr', 1],
      ['retr', 3],
      ['top', 1, 0],
      ['quit'],
    ]);
    expect(out[0]!.welcome).toMatch(/^\+OK/);
    expect(out[1]!.capa).toEqual(expect.arrayContaining(['STLS', 'TOP', 'UIDL', 'USER']));
    expect(out[2]!.login).toMatch(/^\+OK 3 messages/);
    const sizes = bodies.map((b) => b.length);
    expect(out[3]!.stat).toEqual([3, sizes.reduce((a, b) => a + b, 0)]);
    expect(out[4]!.list).toEqual(sizes.map((s, i) => `${i + 1} ${s}`));
    expect(out[5]!.uidl).toEqual(ids.map((id, i) => `${i + 1} ${id}`));
    const first = Buffer.from(out[6]!.retr as string, 'base64');
    expect(first.equals(bodies[0]!), 'RETR 1 is the tracked raw, byte for byte').toBe(true);
    expect(Buffer.from(out[7]!.retr as string, 'base64').equals(bodies[2]!)).toBe(true);
    // TOP n 0: the header and nothing of the body.
    const top = out[8]!.top as string[];
    expect(top).toContain('Subject: Dots and links');
    expect(top.at(-1)).toBe('');
    expect(top.join('\n')).not.toContain('leading dot');
  });

  it('deletes marked mails from the store on QUIT, not before, and RSET unmarks', async () => {
    const dropped = await pop(t, [['login'], ['dele', 2], ['retr', 2], ['dele', 9]]);
    expect(dropped[2]!.dele).toMatch(/^\+OK/);
    expect(dropped[3]!.error).toMatch(/already deleted/);
    expect(dropped[4]!.error).toMatch(/no such message/);
    // The client went away without QUIT: nothing is deleted.
    expect((await getJson<{ Messages: number }>(`${t.http}/api/v1/info`)).Messages).toBe(3);

    const reset = await pop(t, [['login'], ['dele', 1], ['rset'], ['quit']]);
    expect(reset.at(-1)!.quit).toMatch(/^\+OK/);
    expect((await getJson<{ Messages: number }>(`${t.http}/api/v1/info`)).Messages).toBe(3);

    const out = await pop(t, [['login'], ['dele', 2], ['stat'], ['quit']]);
    expect(out[3]!.stat).toEqual([2, expect.any(Number)]);
    expect(out[4]!.quit).toMatch(/1 deleted/);
    expect((await fetch(`${t.http}/api/v1/message/${ids[1]}`)).status).toBe(404);
    const after = await pop(t, [['login'], ['uidl'], ['quit']]);
    expect(after[2]!.uidl).toEqual([`1 ${ids[0]}`, `2 ${ids[2]}`]);
  });

  it('upgrades to TLS with STLS and serves the same bytes over it', async () => {
    const out = await pop(t, [['stls'], ['capa'], ['login'], ['retr', 1], ['quit']]);
    expect(out[1]!.tls).toMatch(/^TLSv1\.[23]$/);
    expect(out[2]!.capa).not.toContain('STLS');
    expect(Buffer.from(out[4]!.retr as string, 'base64').equals(await tracked(t, ids[0]!))).toBe(true);
  });

  it('refuses commands before login and overlong lines', async () => {
    const early = await pop(t, [['raw', 'STAT']]);
    expect(early[1]!.error).toMatch(/not allowed before login/);

    const s = await rawSession(t.sandbox.addresses.pop3!);
    await until(() => s.lines().includes('+OK'));
    s.socket.write(`USER ${'a'.repeat(2000)}\r\n`);
    await until(() => s.socket.readableEnded || s.lines().includes('too long'));
    expect(s.lines()).toMatch(/-ERR line too long/);
    s.socket.destroy();
  });
});

describe('POP3 bounds', () => {
  it('turns away connections beyond the limit and closes idle ones', async () => {
    const t = await startSandbox();
    const server = new Pop3Server({
      mailbox: storeMailbox(t.sandbox.store, t.sandbox.bus),
      logger: createLogger('silent'),
      auth: { user: 'u', pass: 'p' },
      maxConnections: 1,
      idleTimeoutMs: 300,
    });
    try {
      const bound = await server.listen('127.0.0.1', 0);
      const address = `127.0.0.1:${bound.port}`;
      const first = await rawSession(address);
      await until(() => first.lines().includes('+OK'));
      const second = await rawSession(address);
      await until(() => second.socket.readableEnded || second.lines().includes('-ERR'));
      expect(second.lines()).toMatch(/^-ERR \[SYS\/TEMP\] too many connections/);
      second.socket.destroy();
      // The first one said nothing more: the server ends it.
      await until(() => first.lines().includes('idle'));
      expect(first.lines()).toMatch(/-ERR idle timeout/);
      first.socket.destroy();
    } finally {
      await server.close();
      await t.stop();
    }
  });
});

describe('POP3 with --pop3-auth', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startSandbox({ pop3: '127.0.0.1:0', pop3Auth: 'dev:s3cret' });
    await send(t, { subject: 'One', text: 'one' });
  });
  afterAll(() => t.stop());

  it('accepts only the configured login', async () => {
    const bad = await pop(t, [
      ['login', 'dev', 'wrong'],
      ['login', 'other', 's3cret'],
      ['login', 'dev', 's3cret'],
      ['stat'],
      ['quit'],
    ]);
    expect(bad[1]!.error).toMatch(/\[AUTH\] invalid credentials/);
    expect(bad[2]!.error).toMatch(/\[AUTH\] invalid credentials/);
    expect(bad[3]!.login).toMatch(/^\+OK 1 messages/);
    expect(bad[4]!.stat).toEqual([1, expect.any(Number)]);
  });

  it('reports its address in the sandbox addresses', () => {
    expect(t.sandbox.addresses.pop3).toMatch(/^127\.0\.0\.1:\d+$/);
  });
});

describe('POP3 start checks', () => {
  it('refuses to listen beyond loopback without --pop3-auth', async () => {
    await expect(startSandbox({ pop3: '0.0.0.0:0' })).rejects.toThrow(/\[pop3\].*--pop3-auth/);
  });

  it('`serve --json` reports the POP3 address', async () => {
    const bin = join(import.meta.dirname, '..', '..', 'bin', 'mailbeacon.js');
    const child = spawn(
      process.execPath,
      [bin, 'serve', '--smtp', '127.0.0.1:0', '--http', '127.0.0.1:0', '--tracking', '127.0.0.1:0'].concat([
        '--pop3',
        '127.0.0.1:0',
        '--data-dir',
        ':memory:',
        '--json',
      ]),
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const addresses = JSON.parse(line) as { pop3?: string };
      expect(addresses.pop3).toMatch(/^127\.0\.0\.1:\d+$/);
      const s = await rawSession(addresses.pop3!);
      await until(() => s.lines().includes('\r\n'));
      expect(s.lines()).toMatch(/^\+OK/);
      s.socket.destroy();
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('is off unless --pop3 is given', async () => {
    const t = await startSandbox();
    try {
      expect(t.sandbox.addresses.pop3).toBeUndefined();
    } finally {
      await t.stop();
    }
  });
});
