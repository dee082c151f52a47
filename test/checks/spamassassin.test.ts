// The spam score check against a real SpamAssassin: spamd is started here, on a free loopback port, offline (Debian
// ships its rules in /usr/share/spamassassin; no sa-update needed).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MailpitClient } from 'mailpit-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queuedId, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { spamCheckResponse } from '../../src-main/wire/schemas.js';

const SPAMD = '/usr/sbin/spamd';
/** The standard test string every SpamAssassin scores as spam (GTUBE). */
const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Starts spamd and resolves once it says it listens (it loads its rules first, a few seconds). */
async function startSpamd(port: number, dir: string): Promise<ChildProcess> {
  const args = [
    `--listen=127.0.0.1:${port}`,
    '--allowed-ips=127.0.0.1',
    '--syslog=stderr',
    '--local', // no network tests (DNS blocklists, Razor…): offline and deterministic
    '--max-children=1',
    `--pidfile=${join(dir, 'spamd.pid')}`,
  ];
  // As root spamd insists on dropping to another user.
  if (process.getuid?.() === 0) args.push('--username=nobody');
  const child = spawn(SPAMD, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.on('error', (err) => reject(new Error(`cannot start ${SPAMD} (package spamd): ${err.message}`)));
    child.on('exit', (code) => reject(new Error(`spamd exited (${code}) before listening:\n${log}`)));
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (/server started on/.test(log)) resolve();
    });
  });
  child.removeAllListeners('exit');
  return child;
}

describe('sa-check with a real spamd', () => {
  let t: TestSandbox;
  let mailpit: MailpitClient;
  let spamd: ChildProcess;
  let dir: string;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mailbeacon-spamd-'));
    port = await freePort();
    spamd = await startSpamd(port, dir);
    t = await startSandbox({ spamassassin: `127.0.0.1:${port}` });
    mailpit = new MailpitClient(t.http);
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    if (spamd && spamd.exitCode === null) {
      const exited = new Promise((resolve) => spamd.once('exit', resolve));
      spamd.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  async function send(mail: Record<string, unknown>): Promise<string> {
    const transport = smtpTransport(t);
    try {
      return queuedId((await transport.sendMail(mail)).response);
    } finally {
      transport.close();
    }
  }

  it('reports the score and the rules that fired, in Mailpit shape', async () => {
    const spam = await send({
      from: 'a@shop.test',
      to: 'b@example.org',
      subject: 'Hi',
      text: `Body ${GTUBE}`,
    });
    const verdict = await mailpit.spamAssassinCheck(spam);
    // The response is exactly its wire schema: parsing throws on a missing field and strips one it does not know.
    expect(spamCheckResponse.parse(verdict)).toEqual(verdict);
    expect(verdict.Error).toBe('');
    expect(verdict.IsSpam).toBe(true);
    expect(verdict.Score).toBeGreaterThanOrEqual(1000);
    const gtube = verdict.Rules!.find((r) => r.Name === 'GTUBE');
    expect(gtube).toMatchObject({ Score: 1000 });
    expect(gtube!.Description).toMatch(/Generic Test for Unsolicited Bulk Email/);
    expect(verdict.Score).toBeCloseTo(
      verdict.Rules!.reduce((sum, r) => sum + r.Score, 0),
      0,
    );

    const ham = await send({
      from: 'Shop <orders@shop.test>',
      to: 'ann@example.org',
      subject: 'Your order 1001 has shipped',
      text: 'Hello Ann, your parcel left our warehouse today. Regards, the Shop',
    });
    const clean = await mailpit.spamAssassinCheck(ham);
    expect(clean.Error).toBe('');
    expect(clean.IsSpam).toBe(false);
    expect(clean.Score).toBeLessThan(5);
    for (const rule of clean.Rules!) expect(rule.Name).toMatch(/^[A-Z0-9_]+$/);

    expect((await fetch(`${t.http}/api/v1/message/nope/sa-check`)).status).toBe(404);
    const webui = (await (await fetch(`${t.http}/api/v1/webui`)).json()) as { SpamAssassin: boolean };
    expect(webui.SpamAssassin).toBe(true);
  });

  it('says how to enable it when --spamassassin is not given, and reports an unreachable spamd', async () => {
    const off = await startSandbox();
    try {
      const transport = smtpTransport(off);
      const id = queuedId(
        (await transport.sendMail({ from: 'a@b.test', to: 'c@d.test', text: 'x' })).response,
      );
      transport.close();
      const res = await fetch(`${off.http}/api/v1/message/${id}/sa-check`);
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/--spamassassin HOST:PORT/);
    } finally {
      await off.stop();
    }

    const down = await startSandbox({ spamassassin: `127.0.0.1:${await freePort()}` });
    try {
      const transport = smtpTransport(down);
      const id = queuedId(
        (await transport.sendMail({ from: 'a@b.test', to: 'c@d.test', text: 'x' })).response,
      );
      transport.close();
      const verdict = await new MailpitClient(down.http).spamAssassinCheck(id);
      expect(verdict.Error).toMatch(/connection refused/);
      expect(verdict.IsSpam).toBe(false);
    } finally {
      await down.stop();
    }
  });
});
