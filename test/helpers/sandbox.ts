import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { loadSettings } from '../../src-main/config/load.js';
import { createLogger, type LogLine } from '../../src-main/logger.js';
import { Sandbox } from '../../src-main/sandbox.js';

export interface TestSandbox {
  sandbox: Sandbox;
  /** http://127.0.0.1:PORT */
  http: string;
  smtpHost: string;
  smtpPort: number;
  tracking: string;
  logs: LogLine[];
  dataDir: string;
  stop(): Promise<void>;
}

/** A temporary data dir, removed by the returned cleanup. */
export function tempDir(prefix = 'mailbeacon-test-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts a real Sandbox on free loopback ports; flags as `serve` takes them (camelCase). */
export async function startSandbox(flags: Record<string, unknown> = {}): Promise<TestSandbox> {
  const temp = flags.dataDir ? null : tempDir();
  const settings = loadSettings(
    { smtp: '127.0.0.1:0', http: '127.0.0.1:0', tracking: '127.0.0.1:0', dataDir: temp?.dir, ...flags },
    {},
  );
  const logs: LogLine[] = [];
  const sandbox = new Sandbox(settings, { logger: createLogger('info', (l) => logs.push(l)) });
  const addresses = await sandbox.start();
  const [smtpHost, smtpPort] = addresses.smtp.split(/:(?=\d+$)/);
  return {
    sandbox,
    http: addresses.http,
    smtpHost: smtpHost!,
    smtpPort: Number(smtpPort),
    tracking: addresses.tracking,
    logs,
    dataDir: settings.dataDir,
    async stop() {
      await sandbox.stop();
      temp?.remove();
    },
  };
}

export function smtpTransport(
  t: { smtpHost: string; smtpPort: number },
  extra: Record<string, unknown> = {},
) {
  return nodemailer.createTransport({
    host: t.smtpHost,
    port: t.smtpPort,
    secure: false,
    ...extra,
  });
}

export async function getJson<T = unknown>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url} → ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A short mail from app@shop.test to ann@example.test, logged in as `user` (its inbox) when given. */
export function sendAs(t: TestSandbox, user: string | undefined, subject: string) {
  return smtpTransport(t, user ? { auth: { user, pass: 'x' } } : {}).sendMail({
    from: 'app@shop.test',
    to: 'ann@example.test',
    subject,
    text: 'hi',
  });
}

/** Creates `inbox` (nothing when it exists) and changes its settings with `body`; throws unless the PUT answers 200. */
export async function configureInbox(t: TestSandbox, inbox: string, body: unknown): Promise<void> {
  const json = { 'content-type': 'application/json' };
  await fetch(`${t.http}/api/v1/inboxes`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ Name: inbox }),
  });
  const res = await fetch(`${t.http}/api/v1/inboxes/${inbox}/settings`, {
    method: 'PUT',
    headers: json,
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`PUT settings of ${inbox} → ${res.status} ${await res.text()}`);
}

/** The id in smtp-server's reply `250 2.0.0 Ok: queued as <id>`. */
export function queuedId(response: string): string {
  const m = /queued as (\S+)/.exec(response);
  if (!m) throw new Error(`no id in "${response}"`);
  return m[1]!;
}
