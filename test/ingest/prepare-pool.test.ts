// Mails are parsed and tracked on worker threads (src-main/ingest/pool.ts). These tests hold the pool to the same
// results as the main thread, over the whole corpus, and show that a worker that dies costs no mail.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readBody } from '../../src-main/ingest/parse.js';
import { PreparePool } from '../../src-main/ingest/pool.js';
import { injectorFrom, type InjectorSettings } from '../../src-main/ingest/injector-settings.js';
import { prepareMail, type MailToPrepare, type PreparedMail } from '../../src-main/ingest/prepare.js';
import { createLogger, type LogLine } from '../../src-main/logger.js';
import { generateKey } from '../../src-main/tracking/index.js';
import { spawner } from '../../src-main/workers/index.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'eml');
const BASE = 'http://127.0.0.1:8026';
const STARTED = Date.now();

function listEml(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return listEml(path);
    return name.endsWith('.eml') ? [path] : [];
  });
}

const SETTINGS: InjectorSettings = {
  enabled: true,
  trackText: false,
  rules: [{ subject: /^do not track/i }],
  tokenMode: 'signed',
  keys: [generateKey()],
};

const inlineInjector = (settings: InjectorSettings) => injectorFrom(settings, () => BASE);

const mailOf = (path: string, n: number): MailToPrepare => ({
  raw: readFileSync(path),
  id: `mail-${n}`,
  envelopeFrom: 'app@acme.test',
  envelopeTo: ['carol@example.org'],
});

/** What must not depend on the thread: everything but the tokens (which carry a fresh id and time each). */
async function comparable(prepared: PreparedMail) {
  const tokenless = (s: string) => s.replace(/([?&](?:amp;)?t=)[A-Za-z0-9_.~-]+/g, '$1TOKEN');
  // mailparser dates a mail without a Date header it can read at the moment it parses it.
  const { dateMs } = prepared.fields;
  return {
    fields: { ...prepared.fields, dateMs: dateMs !== null && dateMs >= STARTED ? 'when parsed' : dateMs },
    // Tokens are split across quoted-printable lines in the bytes; compare the tracked mail as it reads.
    tracked: prepared.tracked && tokenless((await readBody(prepared.tracked)).html),
    enabled: prepared.manifest?.enabled,
    disabledReason: prepared.manifest?.disabledReason,
    links: prepared.manifest?.links.map((l) => ({ ...l, tokenId: '', trackedUrl: '' })),
    skipped: prepared.manifest?.skipped,
    pixel: prepared.manifest?.pixel ? { ...prepared.manifest.pixel, tokenId: '', url: '' } : null,
  };
}

let pool: PreparePool | undefined;

/** A pool whose every mail must be prepared on a worker: the main-thread fallback fails the test. */
const onWorkersOnly = (size: number, tracking: InjectorSettings, simpleMailReader = true) =>
  new PreparePool({
    spawn: spawner('ingest-worker'),
    size,
    data: { tracking, reading: { simpleMailReader } },
    trackingBase: () => BASE,
    inline: () => Promise.reject(new Error('a worker should have prepared this mail')),
    logger: createLogger('error'),
  });
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('preparing mails on worker threads', () => {
  it.each([true, false])(
    'gives the same fields and tracking as the main thread for every corpus mail (simple reader %s)',
    async (simpleMailReader) => {
      const inline = inlineInjector(SETTINGS);
      pool = onWorkersOnly(2, SETTINGS, simpleMailReader);
      expect(pool.threads).toBe(2);
      const paths = listEml(FIXTURES);
      expect(paths.length).toBeGreaterThan(100);
      const onWorkers = await Promise.all(paths.map((path, n) => pool!.prepare(mailOf(path, n))));
      for (const [n, path] of paths.entries()) {
        const here = await prepareMail(mailOf(path, n), inline, { simpleMailReader });
        expect(await comparable(onWorkers[n]!), path).toEqual(await comparable(here));
        for (const part of onWorkers[n]!.fields.parts) expect(Buffer.isBuffer(part.content)).toBe(true);
      }
    },
  );

  it('applies the tracking settings it was given on the worker: rules, --no-track', async () => {
    const raw = Buffer.from(
      'From: a@acme.test\r\nTo: b@example.org\r\nSubject: Do not track me\r\nContent-Type: text/html\r\n\r\n<p><a href="https://example.org/">x</a></p>\r\n',
    );
    pool = onWorkersOnly(1, SETTINGS);
    const ruled = await pool.prepare({ raw, id: 'r', envelopeFrom: '', envelopeTo: [] });
    expect(ruled.manifest?.enabled).toBe(false);
    expect(ruled.manifest?.disabledReason).toBe('tracking rule 1 matches this mail');
    expect(ruled.tracked).toBeNull();
    await pool.close();

    pool = onWorkersOnly(1, { ...SETTINGS, rules: [], enabled: false });
    const off = await pool.prepare({ raw, id: 'o', envelopeFrom: '', envelopeTo: [] });
    expect(off.manifest?.disabledReason).toBe('tracking is turned off (--no-track)');
  });

  it('prepares a large mail on a worker started for it when the pool has none, small ones on the main thread', async () => {
    const inline = inlineInjector(SETTINGS);
    const onMain: string[] = [];
    pool = new PreparePool({
      spawn: spawner('ingest-worker'),
      size: 0,
      data: { tracking: SETTINGS, reading: { simpleMailReader: true } },
      trackingBase: () => BASE,
      inline: (mail) => {
        onMain.push(mail.id);
        return prepareMail(mail, inline);
      },
      largeMailBytes: 64 * 1024,
      logger: createLogger('error'),
    });
    const html = `<p>${'<a href="https://example.org/a">a</a> text<br>\r\n'.repeat(2000)}</p>`;
    const large = Buffer.from(
      `From: a@acme.test\r\nTo: b@example.org\r\nSubject: Large\r\nContent-Type: text/html\r\n\r\n${html}\r\n`,
    );
    expect(large.length).toBeGreaterThan(64 * 1024);
    const small = Buffer.from(
      'From: a@acme.test\r\nTo: b@example.org\r\nSubject: Small\r\nContent-Type: text/html\r\n\r\n<p><a href="https://example.org/">x</a></p>\r\n',
    );
    expect(pool.threads).toBe(0);
    expect(pool.spareRunning).toBe(false);

    const [bigOne, smallOne] = await Promise.all([
      pool.prepare({ raw: large, id: 'large', envelopeFrom: '', envelopeTo: [] }),
      pool.prepare({ raw: small, id: 'small', envelopeFrom: '', envelopeTo: [] }),
    ]);
    expect(onMain).toEqual(['small']);
    expect(pool.spareRunning).toBe(true);
    expect(bigOne.fields.subject).toBe('Large');
    expect(bigOne.manifest?.links).toHaveLength(2000);
    expect(Buffer.isBuffer(bigOne.tracked)).toBe(true);
    expect(smallOne.fields.subject).toBe('Small');
    const here = await prepareMail({ raw: large, id: 'large', envelopeFrom: '', envelopeTo: [] }, inline);
    expect(await comparable(bigOne)).toEqual(await comparable(here));
  });

  it('keeps a large mail on the main thread too when large mails get no worker (--ingest-threads 0)', async () => {
    const onMain: string[] = [];
    const inline = inlineInjector(SETTINGS);
    pool = new PreparePool({
      spawn: spawner('ingest-worker'),
      size: 0,
      data: { tracking: SETTINGS, reading: { simpleMailReader: true } },
      trackingBase: () => BASE,
      inline: (mail) => {
        onMain.push(mail.id);
        return prepareMail(mail, inline);
      },
      largeMailBytes: Infinity,
      logger: createLogger('error'),
    });
    const large = Buffer.from(
      `From: a@acme.test\r\nSubject: Large\r\nContent-Type: text/plain\r\n\r\n${'x'.repeat(600 * 1024)}\r\n`,
    );
    const prepared = await pool.prepare({ raw: large, id: 'large', envelopeFrom: '', envelopeTo: [] });
    expect(prepared.fields.subject).toBe('Large');
    expect(onMain).toEqual(['large']);
    expect(pool.spareRunning).toBe(false);
  });

  it('prepares every mail on its worker when it has one (--ingest-threads 1), small ones too', async () => {
    pool = onWorkersOnly(1, SETTINGS);
    const small = Buffer.from('From: a@acme.test\r\nSubject: Small\r\n\r\nhi\r\n');
    const prepared = await pool.prepare({ raw: small, id: 'small', envelopeFrom: '', envelopeTo: [] });
    expect(prepared.fields.subject).toBe('Small');
  });

  it('prepares the mails of a worker that dies on the main thread, and stops restarting it after a few tries', async () => {
    const logs: LogLine[] = [];
    const inline = inlineInjector(SETTINGS);
    // Sealed tokens need a key: a worker given none throws as it starts, every time.
    pool = new PreparePool({
      spawn: spawner('ingest-worker'),
      size: 1,
      data: { tracking: { ...SETTINGS, tokenMode: 'sealed', keys: [] }, reading: { simpleMailReader: true } },
      trackingBase: () => BASE,
      inline: (mail) => prepareMail(mail, inline),
      logger: createLogger('info', (line) => logs.push(line)),
    });
    const paths = listEml(FIXTURES).slice(0, 20);
    const prepared = await Promise.all(paths.map((path, n) => pool!.prepare(mailOf(path, n))));
    for (const [n, mail] of prepared.entries()) {
      expect(mail.fields.subject || mail.fields.warnings.length, paths[n]).toBeTruthy();
    }
    // Bounded: every restart fails at once, and the pool gives up after its last one.
    for (let i = 0; i < 200 && !logs.some((l) => /keep dying/.test(l.message)); i++) {
      await pool.prepare(mailOf(paths[0]!, 99));
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(logs.some((l) => /keep dying/.test(l.message))).toBe(true);
    expect(pool.threads).toBe(0);
    const after = await pool.prepare(mailOf(paths[0]!, 100));
    expect(after.manifest?.enabled).toBe(true);
  });
});
