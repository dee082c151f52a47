import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import {
  SmtpPoolUpstream,
  describeError,
  isPermanent,
  type SendError,
} from '../../src-main/relay/upstream.js';
import { Upstream } from './harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function pool(url: string): SmtpPoolUpstream {
  const p = new SmtpPoolUpstream({ url, tlsInsecure: true });
  cleanups.push(() => p.close(true));
  return p;
}

const mail = (body: string) =>
  Buffer.from(`From: a@sender.test\r\nTo: b@example.test\r\nSubject: t\r\n\r\n${body}`, 'latin1');

describe('upstream pool', () => {
  it('delivers the bytes unchanged, lines starting with a dot included, over connections it reuses', async () => {
    const up = new Upstream();
    await up.listen();
    cleanups.push(() => up.close());
    const p = pool(up.url);
    const message = mail('.hidden line\r\n..two dots\r\nlast\r\n');
    const replies = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        p.send({ from: 's@sender.test', to: [`r${i}@example.test`] }, message),
      ),
    );
    expect(replies.every((r) => /^250/.test(r.response))).toBe(true);
    expect(up.arrivals).toHaveLength(12);
    expect(up.arrivals.every((a) => a.raw.equals(message))).toBe(true);
  });

  it('turns bare CR and LF into CRLF on the way, so no receiver reads another end of data into the mail', async () => {
    const up = new Upstream();
    await up.listen();
    cleanups.push(() => up.close());
    const p = pool(up.url);
    await p.send(
      { from: 's@sender.test', to: ['r@example.test'] },
      mail('bare lf\nbare cr\r.dot after cr\r\n'),
    );
    expect(up.arrivals[0]!.raw.toString('latin1')).toBe(
      mail('bare lf\r\nbare cr\r\n.dot after cr\r\n').toString('latin1'),
    );
  });

  it('reports recipients the upstream refused while it took the mail for the others, with and without PIPELINING', async () => {
    for (const hidePIPELINING of [false, true]) {
      const received: string[][] = [];
      const server = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        hidePIPELINING,
        logger: false,
        onRcptTo: (address, _session, callback) =>
          callback(
            address.address.startsWith('no')
              ? Object.assign(new Error('no such user'), { responseCode: 550 })
              : undefined,
          ),
        onData: (stream, session, callback) => {
          stream.resume();
          stream.on('end', () => {
            received.push(session.envelope.rcptTo.map((r) => r.address));
            callback();
          });
        },
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      const { port } = server.server.address() as { port: number };
      const p = pool(`smtp://127.0.0.1:${port}`);

      const delivery = await p.send(
        { from: 's@sender.test', to: ['yes@a.test', 'no@a.test'] },
        mail('x\r\n'),
      );
      expect(delivery.rejected).toEqual(['no@a.test']);
      expect(received).toEqual([['yes@a.test']]);

      const err = (await p
        .send({ from: 's@sender.test', to: ['no1@a.test', 'no2@a.test'] }, mail('x\r\n'))
        .catch((e: unknown) => e)) as SendError;
      expect(err.code).toBe('EENVELOPE');
      expect(err.responseCode).toBe(550);
      expect(isPermanent(err)).toBe(true);

      // The refused transaction was reset: the same connection carries the next mail.
      await p.send({ from: 's@sender.test', to: ['yes@b.test'] }, mail('x\r\n'));
      expect(received).toEqual([['yes@a.test'], ['yes@b.test']]);
    }
  });

  it('keeps 4xx refusals and an upstream that never greets temporary, with the reply or the error to record', async () => {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onMailFrom: (address, _session, callback) =>
        callback(
          address.address.startsWith('busy')
            ? Object.assign(new Error('try again later, closing'), { responseCode: 421 })
            : undefined,
        ),
      onRcptTo: (_address, _session, callback) =>
        callback(Object.assign(new Error('mailbox busy'), { responseCode: 450 })),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.server.address() as { port: number };
    const p = pool(`smtp://127.0.0.1:${port}`);
    const failure = (from: string, setupTimeoutMs?: number, target = p) =>
      target
        .send({ from, to: ['r@example.test'] }, mail('x\r\n'), setupTimeoutMs)
        .catch((e: unknown) => e as SendError);

    const rcpt = (await failure('s@sender.test')) as SendError;
    expect(rcpt).toMatchObject({ code: 'EENVELOPE', responseCode: 450 });
    expect(isPermanent(rcpt)).toBe(false);
    expect(describeError(rcpt)).toMatch(/^450 .*mailbox busy/);

    const closing = (await failure('busy@sender.test')) as SendError;
    expect(closing.responseCode).toBe(421);
    expect(isPermanent(closing)).toBe(false);
    expect(describeError(closing)).toMatch(/^421 .*try again later/);

    // A listener that takes the connection and never says 220.
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      for (const socket of held) socket.destroy();
      return new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const hung = pool(`smtp://127.0.0.1:${(silent.address() as { port: number }).port}`);
    const timeout = (await failure('s@sender.test', 300, hung)) as SendError;
    expect(timeout.code).toBe('ETIMEDOUT');
    expect(isPermanent(timeout)).toBe(false);
    expect(describeError(timeout)).toMatch(/^ETIMEDOUT: /);
  });

  it('declares 8-bit content with BODY=8BITMIME, and only 8-bit content', async () => {
    const bodies: (string | undefined)[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        stream.resume();
        stream.on('end', () => {
          bodies.push((session.envelope.mailFrom as { args?: Record<string, string> }).args?.BODY);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.server.address() as { port: number };
    const p = pool(`smtp://127.0.0.1:${port}`);
    await p.send({ from: 's@sender.test', to: ['r@a.test'] }, mail('plain ascii\r\n'));
    await p.send({ from: 's@sender.test', to: ['r@a.test'] }, mail('Grüße\r\n'));
    expect(bodies).toEqual([undefined, '8BITMIME']);
  });

  it('logs in with AUTH PLAIN or LOGIN, and a refused login is permanent', async () => {
    for (const method of ['PLAIN', 'LOGIN']) {
      const logins: string[] = [];
      const server = new SMTPServer({
        authMethods: [method],
        allowInsecureAuth: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        onAuth: (auth, _session, callback) => {
          logins.push(`${auth.method} ${auth.username}:${auth.password}`);
          if (auth.password === 'p@ss:word') callback(null, { user: auth.username });
          else callback(Object.assign(new Error('bad credentials'), { responseCode: 535 }));
        },
        onData: (stream, _session, callback) => {
          stream.resume();
          stream.on('end', () => callback());
        },
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      const { port } = server.server.address() as { port: number };

      const good = pool(`smtp://us%40er:p%40ss%3Aword@127.0.0.1:${port}`);
      await good.send({ from: 's@sender.test', to: ['r@example.test'] }, mail('x\r\n'));
      const bad = pool(`smtp://us%40er:wrong@127.0.0.1:${port}`);
      const err = (await bad
        .send({ from: 's@sender.test', to: ['r@example.test'] }, mail('x\r\n'))
        .catch((e: unknown) => e)) as SendError;
      expect(err.code).toBe('EAUTH');
      expect(err.responseCode).toBe(535);
      expect(isPermanent(err)).toBe(true);
      expect(logins).toEqual([`${method} us@er:p@ss:word`, `${method} us@er:wrong`]);
    }
  });

  it('sends a mail once more on a fresh connection when the upstream had dropped the reused one', async () => {
    // A minimal upstream that drops a connection when a second mail starts on it, as one whose idle timeout
    // struck just then would.
    const bodies: string[] = [];
    let connections = 0;
    const server: Server = createServer((socket: Socket) => {
      connections++;
      let mails = 0;
      let inData = false;
      let data = '';
      let pending = '';
      socket.write('220 test ESMTP\r\n');
      socket.on('data', (chunk) => {
        pending += chunk.toString('latin1');
        let newline: number;
        while ((newline = pending.indexOf('\r\n')) !== -1) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 2);
          if (inData) {
            if (line === '.') {
              inData = false;
              bodies.push(data);
              data = '';
              socket.write('250 queued\r\n');
            } else data += line + '\r\n';
          } else if (/^EHLO/i.test(line)) socket.write('250-test\r\n250 PIPELINING\r\n');
          else if (/^MAIL/i.test(line)) {
            if (++mails > 1) return void socket.destroy();
            socket.write('250 ok\r\n');
          } else if (/^RCPT/i.test(line)) socket.write('250 ok\r\n');
          else if (/^DATA/i.test(line)) {
            inData = true;
            socket.write('354 go on\r\n');
          } else if (/^QUIT/i.test(line)) socket.end('221 bye\r\n');
          else socket.write('250 ok\r\n');
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as { port: number };
    const p = new SmtpPoolUpstream({ url: `smtp://127.0.0.1:${port}`, tlsInsecure: false }, 1);
    cleanups.push(() => p.close(true));

    await p.send({ from: 's@sender.test', to: ['r@example.test'] }, mail('first\r\n'));
    await p.send({ from: 's@sender.test', to: ['r@example.test'] }, mail('second\r\n'));
    expect(bodies.map((b) => b.split('\r\n\r\n')[1])).toEqual(['first\r\n', 'second\r\n']);
    expect(connections).toBe(2);
  });
});
