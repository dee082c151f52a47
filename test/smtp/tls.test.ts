import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadSettings } from '../../src-main/config/load.js';
import { startSandbox, tempDir, type TestSandbox } from '../helpers/sandbox.js';

const run = promisify(execFile);

/** swaks's transcript, whether it delivered or not, and its exit code. */
async function swaks(port: number, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('swaks', [
      '--server',
      `127.0.0.1:${port}`,
      '--from',
      'app@acme.test',
      '--to',
      'ann@example.org',
      ...args,
    ]);
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

const problems = (flags: Record<string, unknown>) => {
  try {
    loadSettings({ dataDir: ':memory:', ...flags }, {});
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('SMTP TLS settings', () => {
  it('refuses --smtp-require-tls without STARTTLS, and half a certificate, saying where', () => {
    expect(problems({ smtpRequireTls: true })).toEqual([
      '[smtp] --smtp-require-tls: needs STARTTLS; give --smtp-tls or a certificate (--smtp-tls-cert and --smtp-tls-key)',
    ]);
    expect(problems({ smtpTlsCert: '/tmp/c.pem' })).toEqual([
      '[smtp] --smtp-tls-key: is missing: --smtp-tls-cert and --smtp-tls-key go together',
    ]);
    expect(problems({ smtps: 'nowhere' })[0]).toMatch(/^\[smtp\] --smtps: "nowhere" is not ADDR:PORT/);
    expect(problems({ smtpRequireTls: true, smtpTls: true })).toEqual([]);
    const settings = loadSettings({ dataDir: ':memory:' }, {});
    expect([settings.smtpTls, settings.smtpRequireTls, settings.smtps]).toEqual([false, false, undefined]);
  });
});

describe('--smtp-tls', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startSandbox({ smtpTls: true });
  });
  afterAll(() => t.stop());

  it('offers STARTTLS with the self-signed certificate kept in the data dir', async () => {
    const { code, out } = await swaks(t.smtpPort, [
      '--auth',
      'PLAIN',
      '--auth-user',
      'anyone',
      '--auth-password',
      'anything',
      '--tls',
      '--tls-verify',
      '--tls-ca-path',
      join(t.dataDir, 'smtp-tls.crt'),
    ]);
    expect(code).toBe(0);
    expect(out).toMatch(/=== TLS started/);
    expect(out).toMatch(/TLS peer DN="\/CN=localhost"/);
    expect(out).toMatch(/queued as/);
    expect(t.logs.some((l) => l.message.includes(join(t.dataDir, 'smtp-tls.crt')))).toBe(true);
  });

  it('still takes mail without STARTTLS unless --smtp-require-tls says otherwise', async () => {
    const { code, out } = await swaks(t.smtpPort, []);
    expect(code).toBe(0);
    expect(out).toMatch(/STARTTLS/);
    expect(out).not.toMatch(/=== TLS started/);
  });
});

describe('--smtp-require-tls', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startSandbox({ smtpTls: true, smtpRequireTls: true });
  });
  afterAll(() => t.stop());

  it('answers 530 to MAIL and AUTH before STARTTLS, and delivers after it', async () => {
    const plain = await swaks(t.smtpPort, []);
    expect(plain.code).not.toBe(0);
    expect(plain.out).toMatch(/<\*\* 530 5\.7\.0 Must issue a STARTTLS command first/);
    const auth = await swaks(t.smtpPort, ['--auth', 'PLAIN', '--auth-user', 'a', '--auth-password', 'b']);
    expect(auth.code).not.toBe(0);
    expect(auth.out).toMatch(/<\*\* 530 5\.7\.0 Must issue a STARTTLS command first/);
    const upgraded = await swaks(t.smtpPort, ['--tls']);
    expect(upgraded.code).toBe(0);
    expect(upgraded.out).toMatch(/queued as/);
  });
});

describe('--smtp-tls-cert and --smtps', () => {
  const files = tempDir();
  let t: TestSandbox;
  let cert: string;
  beforeAll(async () => {
    const pems = await generate([{ name: 'commonName', value: 'mb.test' }], {
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    cert = join(files.dir, 'cert.pem');
    writeFileSync(cert, pems.cert);
    writeFileSync(join(files.dir, 'key.pem'), pems.private);
    t = await startSandbox({
      smtpTlsCert: cert,
      smtpTlsKey: join(files.dir, 'key.pem'),
      smtps: '127.0.0.1:0',
    });
  });
  afterAll(async () => {
    await t.stop();
    files.remove();
  });

  it("offers STARTTLS with the user's certificate", async () => {
    const { code, out } = await swaks(t.smtpPort, ['--tls', '--tls-verify', '--tls-ca-path', cert]);
    expect(code).toBe(0);
    expect(out).toMatch(/TLS peer DN="\/CN=mb\.test"/);
  });

  it('speaks TLS from the first byte on the SMTPS listener, with the same certificate', async () => {
    const port = Number(t.sandbox.addresses.smtps!.split(':').pop());
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port,
      secure: true,
      tls: { ca: readFileSync(cert) },
    });
    const info = await transport.sendMail({
      from: 'app@acme.test',
      to: 'ann@example.org',
      subject: 'over SMTPS',
      text: 'hi',
    });
    expect(info.response).toMatch(/^250 .*queued as/);
    const plainToSmtps = await swaks(port, ['--timeout', '3']);
    expect(plainToSmtps.code).not.toBe(0);
  });
});

describe('--smtps alone', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startSandbox({ smtps: '127.0.0.1:0' });
  });
  afterAll(() => t.stop());

  it('keeps the plain listener without STARTTLS and serves SMTPS with the self-signed certificate', async () => {
    const plain = await swaks(t.smtpPort, []);
    expect(plain.code).toBe(0);
    expect(plain.out).not.toMatch(/STARTTLS/);
    const port = Number(t.sandbox.addresses.smtps!.split(':').pop());
    const smtps = await swaks(port, [
      '--tls-on-connect',
      '--tls-verify',
      '--tls-ca-path',
      join(t.dataDir, 'smtp-tls.crt'),
    ]);
    expect(smtps.code).toBe(0);
    expect(smtps.out).toMatch(/TLS peer DN="\/CN=localhost"/);
  });
});
