// A start that cannot succeed must say so: `mailbeacon serve` runs as its own process here, as a user or a script
// runs it, and each broken precondition (a port taken, a damaged file, a data directory in use) has to end in a
// non-zero exit and a message that names the cause and the file or port.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MessagesSummary } from '../../src-main/wire/types.js';
import { ServeProcess } from '../../bench/lib/serve-process.js';
import { getJson, tempDir } from '../helpers/sandbox.js';

const BIN = fileURLToPath(new URL('../../bin/mailbeacon.js', import.meta.url));

/** Starting from the sources compiles them first; a loaded machine needs a while. */
const RUN_TIMEOUT_MS = 90_000;
vi.setConfig({ testTimeout: 2 * RUN_TIMEOUT_MS });

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `serve --json` on free ports (unless `args` says otherwise), run to its exit. */
function runServe(dataDir: string, args: string[] = []): Promise<Run> {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      '--json',
      '--smtp',
      '127.0.0.1:0',
      '--http',
      '127.0.0.1:0',
      '--tracking',
      '127.0.0.1:0',
      '--data-dir',
      dataDir,
      ...args,
    ],
    { env: { ...process.env, MAILBEACON_FROM_SOURCE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    // A start that succeeds by mistake would run for ever: it is stopped and reported.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not exit; stdout: ${stdout} stderr: ${stderr}`));
    }, RUN_TIMEOUT_MS);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function dataDir(): string {
  const dir = tempDir('mb-start-');
  cleanups.push(dir.remove);
  return dir.dir;
}

async function occupiedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as { port: number }).port;
}

async function serveOn(dir: string, args: string[] = []): Promise<ServeProcess> {
  const serve = await ServeProcess.start({ dataDir: dir, args });
  cleanups.push(() => serve.crash());
  return serve;
}

describe('a start that fails', () => {
  it.each(['smtp', 'http', 'tracking'])(
    'exits 1 naming the listener, port and flag when the %s port is taken',
    async (listener) => {
      const dir = dataDir();
      const port = await occupiedPort();
      const run = await runServe(dir, [`--${listener}`, `127.0.0.1:${port}`]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(
        `[${listener}] port ${port} on 127.0.0.1 is in use (EADDRINUSE); another mail catcher such as Mailpit may be running: choose another with --${listener}`,
      );
      // Nothing was left behind that would block the next start.
      expect(existsSync(join(dir, 'mailbeacon.lock'))).toBe(false);
    },
  );

  it('exits 1 naming hub.json when it is not JSON', async () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'hub.json'), '{"publisherKey": "abc",');
    const run = await runServe(dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/\[hub\] cannot read .*hub\.json: it is not valid JSON/);
  });

  it('exits 1 naming the TLS key when it cannot be loaded', async () => {
    const dir = dataDir();
    // A first start with STARTTLS generates the pair; then the key is damaged.
    const first = await serveOn(dir, ['--smtp-tls']);
    await first.stop();
    const key = join(dir, 'smtp-tls.key');
    const pem = readFileSync(key, 'utf8');
    writeFileSync(key, pem.replace(/^(-----BEGIN [A-Z ]+-----\n)[\s\S]{64}/, '$1'));
    const run = await runServe(dir, ['--smtp-tls']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`[smtp] the TLS key and certificate ${key} and`);
    expect(run.stderr).toContain('cannot be used');
  });

  it('exits 1 naming the database when the file is not a database', async () => {
    const dir = dataDir();
    const db = join(dir, 'mailbeacon.db');
    writeFileSync(db, 'these are not the pages of a SQLite database\n'.repeat(100));
    const run = await runServe(dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`[db] ${db} is not a database`);
  });

  it('exits 1 naming the database when it has the SQLite header but damaged pages', async () => {
    const dir = dataDir();
    const db = join(dir, 'mailbeacon.db');
    const pages = Buffer.alloc(8192, 0xa5);
    Buffer.from('SQLite format 3\0', 'latin1').copy(pages);
    writeFileSync(db, pages);
    const run = await runServe(dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`[db] ${db} is not a usable database`);
  });

  it('checks a database changed since its clean close, and exits naming the damage before writing to it', async () => {
    const dir = dataDir();
    const first = await serveOn(dir);
    expect(await first.stop()).toEqual({ code: 0, signal: null });
    const db = join(dir, 'mailbeacon.db');
    expect(existsSync(`${db}-closed`)).toBe(true);
    // A page no start reads (the root of an index used only by one-click unsubscribes), damaged on disk: only a
    // read of the whole file finds it.
    const reader = new BetterSqlite3(db);
    const pageSize = reader.pragma('page_size', { simple: true }) as number;
    const root = reader
      .prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'events_unsub_token'")
      .pluck()
      .get() as number;
    reader.close();
    const fd = openSync(db, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (root - 1) * pageSize);
    closeSync(fd);
    const damaged = readFileSync(db);

    const run = await runServe(dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`[db] checking ${db} for damage (it was not closed cleanly`);
    expect(run.stderr).toContain(`[db] ${db} is damaged (`);
    expect(readFileSync(db).equals(damaged)).toBe(true);
  });

  it('takes an empty database file as a new database', async () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'mailbeacon.db'), '');
    const serve = await serveOn(dir);
    const list = await getJson<MessagesSummary>(`${serve.http}/api/v1/messages`);
    expect(list.total).toBe(0);
    expect(await serve.stop()).toEqual({ code: 0, signal: null });
  });
});

describe('one process per data directory', () => {
  it('refuses a second serve on a data directory in use, naming the holder', async () => {
    const dir = dataDir();
    const first = await serveOn(dir);
    const lock = join(dir, 'mailbeacon.lock');
    expect(readFileSync(lock, 'utf8').trim()).toBe(String(first.child.pid));

    const second = await runServe(dir);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(
      `[db] the data directory ${dir} is in use by another Mailbeacon (pid ${first.child.pid})`,
    );
    // The refused start did not disturb the first: it still takes mail.
    const transport = nodemailer.createTransport({
      host: first.smtpHost,
      port: first.smtpPort,
    });
    const info = await transport.sendMail({
      from: 'a@acme.test',
      to: 'b@example.org',
      subject: 's',
      text: 't',
    });
    transport.close();
    expect(info.response).toMatch(/^250 /);

    expect(await first.stop()).toEqual({ code: 0, signal: null });
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over the lock of a process that is gone', async () => {
    const dir = dataDir();
    // A pid that surely belonged to a process and no longer does: one that ran and exited.
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('exit', resolve));
    writeFileSync(join(dir, 'mailbeacon.lock'), `${gone.pid}\n`);
    const serve = await serveOn(dir);
    expect(readFileSync(join(dir, 'mailbeacon.lock'), 'utf8').trim()).toBe(String(serve.child.pid));
    await serve.stop();
  });
});

describe('the integrity check at start', () => {
  it('is skipped after a clean stop, and reads the whole file after a crash, saying which in the log', async () => {
    const dir = dataDir();
    const db = join(dir, 'mailbeacon.db');
    const first = await serveOn(dir);
    const transport = nodemailer.createTransport({
      host: first.smtpHost,
      port: first.smtpPort,
      ignoreTLS: true,
    });
    await transport.sendMail({ from: 'a@acme.test', to: 'b@example.org', subject: 'kept', text: 't' });
    transport.close();
    expect(await first.stop()).toEqual({ code: 0, signal: null });

    const clean = await serveOn(dir);
    expect(clean.stderr).toContain(`[db] ${db} was closed cleanly: its integrity check is skipped`);
    expect(clean.stderr).not.toContain('checking');
    // The marker is gone while the database is open, so a crash now leaves none.
    expect(existsSync(`${db}-closed`)).toBe(false);
    await clean.crash();

    const afterCrash = await serveOn(dir);
    expect(afterCrash.stderr).toContain(`[db] checking ${db} for damage (it was not closed cleanly`);
    const list = await getJson<MessagesSummary>(`${afterCrash.http}/api/v1/messages`);
    expect(list.messages.map((m) => m.Subject)).toEqual(['kept']);
    await afterCrash.stop();
  });
});

describe('the search index', () => {
  it('is rebuilt from the stored mails when its file is damaged', async () => {
    const dir = dataDir();
    const first = await serveOn(dir);
    const transport = nodemailer.createTransport({
      host: first.smtpHost,
      port: first.smtpPort,
    });
    for (const word of ['marzipan', 'tangerine']) {
      await transport.sendMail({
        from: 'a@acme.test',
        to: 'b@example.org',
        subject: `about ${word}`,
        text: `the ${word} report`,
      });
    }
    transport.close();
    const before = await getJson<MessagesSummary>(`${first.http}/api/v1/search?query=marzipan`);
    expect(before.messages_count).toBe(1);
    await first.stop();

    const index = join(dir, 'mailbeacon.db-search');
    writeFileSync(index, Buffer.alloc(16384, 0x5a));
    const second = await serveOn(dir);
    for (const word of ['marzipan', 'tangerine']) {
      const found = await getJson<MessagesSummary>(`${second.http}/api/v1/search?query=${word}`);
      expect(found.messages_count).toBe(1);
      expect(found.messages[0]!.Subject).toBe(`about ${word}`);
    }
    expect(second.stderr).toContain(`[db] the search index ${index} is unreadable`);
    await second.stop();
  });
});
