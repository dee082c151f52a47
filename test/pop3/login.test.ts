// The POP3 login: generated into the data directory (0600) when --pop3-auth is not given, kept across restarts, shown
// by `serve` (and its --json line) and by the API that feeds Settings; real clients (getmail, fetchmail) use it.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { POP3_LOGIN_FILE } from '../../src-main/pop3/login.js';
import type { AppInformation } from '../../src-main/wire/types.js';
import { getJson, queuedId, smtpTransport, startSandbox, tempDir } from '../helpers/sandbox.js';

const run = promisify(execFile);

const hostPort = (address: string) => {
  const [host, port] = address.split(/:(?=\d+$)/);
  return { host: host!, port: port! };
};

describe('the generated POP3 login', () => {
  it('is written 0600 into the data directory, kept across restarts and shown by the info API', async () => {
    const data = tempDir();
    try {
      const first = await startSandbox({ pop3: '127.0.0.1:0', dataDir: data.dir });
      const login = first.sandbox.pop3Login!;
      const info = await getJson<AppInformation>(`${first.http}/api/v1/info`);
      await first.stop();
      expect(login.generated).toBe(true);
      expect(login.pass.length).toBeGreaterThanOrEqual(20);
      const file = join(data.dir, POP3_LOGIN_FILE);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ user: login.user, pass: login.pass });
      expect(info.POP3).toEqual({
        Address: first.sandbox.addresses.pop3,
        User: login.user,
        Password: login.pass,
      });

      const second = await startSandbox({ pop3: '127.0.0.1:0', dataDir: data.dir });
      try {
        expect(second.sandbox.pop3Login).toEqual(login);
      } finally {
        await second.stop();
      }
    } finally {
      data.remove();
    }
  });

  it('with --pop3-auth the API names the user only', async () => {
    const t = await startSandbox({ pop3: '127.0.0.1:0', pop3Auth: 'dev:mine' });
    try {
      const info = await getJson<AppInformation>(`${t.http}/api/v1/info`);
      expect(info.POP3).toEqual({ Address: t.sandbox.addresses.pop3, User: 'dev' });
      expect(JSON.stringify(await getJson(`${t.http}/api/v1/settings`))).not.toContain('mine');
    } finally {
      await t.stop();
    }
  });

  it('`serve` prints it, in its log and its --json line', async () => {
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
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const printed = JSON.parse(line) as { pop3: string; pop3Login: { user: string; pass: string } };
      expect(printed.pop3Login.user).toBe('mailbeacon');
      expect(printed.pop3Login.pass).toMatch(/^[\w-]{20,}$/);
      for (let i = 0; i < 200 && !stderr.includes('POP3'); i++) await new Promise((r) => setTimeout(r, 25));
      expect(stderr).toContain(
        `POP3      ${printed.pop3} (user mailbeacon, password ${printed.pop3Login.pass}`,
      );
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});

describe('real mail clients with the login', () => {
  it('getmail6 and fetchmail download the caught mails; a wrong password gets nothing', async () => {
    const t = await startSandbox({ pop3: '127.0.0.1:0' });
    const work = tempDir('mailbeacon-clients-');
    try {
      const transport = smtpTransport(t);
      const ids: string[] = [];
      for (const subject of ['First', 'Second']) {
        const sent = await transport.sendMail({
          from: 'a@shop.test',
          to: 'b@example.org',
          subject,
          text: subject,
        });
        ids.push(queuedId(sent.response));
      }
      transport.close();
      const { host, port } = hostPort(t.sandbox.addresses.pop3!);
      const { user, pass } = t.sandbox.pop3Login!;

      // getmail6 hands each mail to a command (its Maildir delivery refuses to run as root, as CI may), keeping
      // the mails on the server.
      const got = join(work.dir, 'getmail');
      mkdirSync(got);
      const getmailrc = (password: string) =>
        [
          '[retriever]',
          'type = SimplePOP3Retriever',
          `server = ${host}`,
          `port = ${port}`,
          `username = ${user}`,
          `password = ${password}`,
          '[destination]',
          'type = MDA_external',
          'path = /bin/sh',
          `arguments = ("-c", "cat > ${got}/mail-$$")`,
          'allow_root_commands = true',
          '[options]',
          'read_all = true',
          'delete = false',
          'verbose = 0',
        ].join('\n');
      writeFileSync(join(work.dir, 'wrong.rc'), getmailrc('not-it'));
      await expect(
        run('getmail', ['--getmaildir', work.dir, '--rcfile', 'wrong.rc'], { timeout: 60_000 }),
      ).rejects.toThrow();
      expect(readdirSync(got)).toHaveLength(0);
      writeFileSync(join(work.dir, 'getmail.rc'), getmailrc(pass));
      await run('getmail', ['--getmaildir', work.dir, '--rcfile', 'getmail.rc'], { timeout: 60_000 });
      const mails = readdirSync(got).map((f) => readFileSync(join(got, f), 'utf8'));
      expect(mails.map((m) => /^Subject: (\w+)/m.exec(m)?.[1]).sort()).toEqual(['First', 'Second']);

      // fetchmail hands each mail to a delivery command; it keeps them on the server too.
      const out = join(work.dir, 'fetched');
      mkdirSync(out);
      const rc = join(work.dir, 'fetchmailrc');
      writeFileSync(
        rc,
        `poll ${host} service ${port} protocol pop3 user "${user}" password "${pass}" ` +
          `options keep sslproto "" mda "cat > ${out}/mail-%F-$$"\n`,
        { mode: 0o600 },
      );
      await run(
        'fetchmail',
        ['--nosyslog', '--nodetach', '--fetchmailrc', rc, '--pidfile', join(work.dir, 'pid'), '--all'],
        { timeout: 60_000, env: { ...process.env, HOME: work.dir, FETCHMAILHOME: work.dir } },
      );
      expect(readdirSync(out)).toHaveLength(2);
      expect((await getJson<{ Messages: number }>(`${t.http}/api/v1/info`)).Messages).toBe(2);
    } finally {
      work.remove();
      await t.stop();
    }
  });
});
