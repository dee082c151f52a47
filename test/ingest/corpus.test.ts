// Every mail of the shared corpus (test/fixtures/eml, copied with its licences) goes through SMTP and comes back through
// the API unchanged.
//
// "As received" means the bytes the SMTP client actually put on the wire, after undoing dot-stuffing: an SMTP client
// must send CRLF line endings, so a fixture with bare LF (or bare CR) arrives with CRLF, and a fixture without a final
// line break arrives with one. A recording proxy between nodemailer and the catcher captures those bytes, so the test
// compares against what was really sent instead of guessing the client's normalisation.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { join, relative } from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Address, Message } from '../../src-main/wire/types.js';
import { readSimpleMail } from '../../src-main/ingest/simple-mail.js';
import { getJson, queuedId, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'eml');

function listEml(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return listEml(path);
      return name.endsWith('.eml') ? [path] : [];
    })
    .sort();
}

const CORPUS = listEml(FIXTURES).map((path) => ({ name: relative(FIXTURES, path), path }));

/** Bytes the client sent on one connection, recorded by a TCP proxy in front of the catcher. */
class RecordingProxy {
  readonly #server: Server;
  readonly connections: Buffer[][] = [];

  constructor(targetPort: number) {
    this.#server = createServer((client) => {
      const sent: Buffer[] = [];
      this.connections.push(sent);
      const upstream = connect(targetPort, '127.0.0.1');
      client.on('data', (chunk: Buffer) => {
        sent.push(chunk);
        upstream.write(chunk);
      });
      upstream.pipe(client);
      client.on('end', () => upstream.end());
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return (this.#server.address() as { port: number }).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/**
 * The message content of the first DATA transaction in a client's byte stream: what follows the `DATA` command up to
 * the terminating `.` line (its preceding CRLF belongs to the content), with dot-stuffing undone (RFC 5321 §4.5.2).
 */
export function dataFromWire(stream: Buffer): Buffer {
  const command = stream.indexOf('\r\nDATA\r\n');
  if (command < 0) throw new Error('no DATA command on the wire');
  const start = command + '\r\nDATA\r\n'.length;
  const end = stream.subarray(start, start + 3).equals(Buffer.from('.\r\n'))
    ? start
    : stream.indexOf('\r\n.\r\n', start) + 2;
  if (end < start) throw new Error('no end of data on the wire');
  const lines: Buffer[] = [];
  let at = start;
  while (at < end) {
    const next = stream.indexOf('\r\n', at) + 2;
    const line = stream.subarray(at, next);
    lines.push(line[0] === 0x2e ? line.subarray(1) : line);
    at = next;
  }
  return Buffer.concat(lines);
}

/** What the SMTP client is expected to make of a file: every line ending CRLF, and a final line break. */
function smtpLineEndings(file: Buffer): Buffer {
  const text = file.toString('latin1').replace(/\r\n|\r|\n/g, '\r\n');
  return Buffer.from(text.endsWith('\r\n') || text === '' ? text : `${text}\r\n`, 'latin1');
}

/** mailparser's addresses flattened as Mailbeacon shows them (groups expanded). */
function flatten(value: AddressObject | AddressObject[] | undefined): Address[] {
  const out: Address[] = [];
  const walk = (entries: { name?: string; address?: string; group?: unknown[] }[]) => {
    for (const e of entries) {
      if (Array.isArray(e.group)) walk(e.group as typeof entries);
      else out.push({ Name: e.name ?? '', Address: e.address ?? '' });
    }
  };
  for (const obj of [value ?? []].flat()) walk(obj.value);
  return out;
}

/**
 * Each fast path is run against the corpus with its switch off too. The default runs every mail; the reference reader
 * (`--simple-mail-reader no`) runs the mails the simple reader takes, the only ones it reads differently; the worker
 * path (`--ingest-threads 1`) runs every third mail of the sorted corpus, and prepare-pool.test.ts compares a worker with
 * the main thread over the whole corpus.
 */
const PATHS: { path: string; flags: Record<string, string>; mails: typeof CORPUS }[] = [
  { path: 'the default paths', flags: {}, mails: CORPUS },
  {
    path: 'mailparser for every mail (--simple-mail-reader no)',
    flags: { simpleMailReader: 'no' },
    mails: CORPUS.filter((f) => readSimpleMail(smtpLineEndings(readFileSync(f.path))) !== undefined),
  },
  {
    path: 'every mail on a worker (--ingest-threads 1)',
    flags: { ingestThreads: '1' },
    mails: CORPUS.filter((_, n) => n % 3 === 0),
  },
];

describe.each(PATHS)('the mail corpus through SMTP and back, $path', ({ flags, mails }) => {
  let t: TestSandbox;
  let proxy: RecordingProxy;
  let proxyPort: number;

  beforeAll(async () => {
    t = await startSandbox({ maxMessages: '0', ...flags });
    proxy = new RecordingProxy(t.smtpPort);
    proxyPort = await proxy.listen();
  });
  afterAll(async () => {
    await proxy?.close();
    await t?.stop();
  });

  it('has the whole corpus with its licences', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(120);
    for (const dir of ['mailparser', 'mailpit'])
      expect(statSync(join(FIXTURES, dir, 'LICENSE')).isFile()).toBe(true);
    for (const licence of ['LICENSE-MIT', 'LICENSE-Apache-2.0'])
      expect(statSync(join(FIXTURES, 'stalwart', licence)).isFile()).toBe(true);
    expect(CORPUS.filter((f) => f.name.startsWith('stalwart/malformed/')).length).toBeGreaterThan(20);
  });

  it('runs at least ten mails', () => {
    // (a subset that came out empty would pass unseen)
    expect(mails.length).toBeGreaterThanOrEqual(10);
  });

  it.each(mails)('$name is stored as sent, or refused with a clear 5xx', async ({ name, path }) => {
    const file = readFileSync(path);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: proxyPort });
    const connectionsBefore = proxy.connections.length;
    let response: string;
    try {
      const info = await transport.sendMail({
        envelope: { from: 'corpus@mailbeacon.test', to: ['inbox@mailbeacon.test'] },
        raw: file,
      });
      response = info.response;
    } catch (err) {
      const e = err as { responseCode?: number; response?: string; message: string };
      // Refusing is allowed only for broken mail, and only with a permanent reply that says why.
      expect(name, `${name} was refused: ${e.message}`).toMatch(/^stalwart\/malformed\//);
      expect(e.responseCode, `${name}: ${e.message}`).toBeGreaterThanOrEqual(500);
      expect(e.response ?? '').toMatch(/^5\d\d [\d.]* *\S.{8,}/);
      return;
    } finally {
      transport.close();
    }
    expect(response).toMatch(/^250 /);
    const id = queuedId(response);

    // The client's bytes, exactly; and they are the file with SMTP line endings (so the proxy is not hiding anything).
    expect(proxy.connections.length).toBe(connectionsBefore + 1);
    const wire = dataFromWire(Buffer.concat(proxy.connections.at(-1)!));
    expect(wire.equals(smtpLineEndings(file)), `${name}: wire form differs from the file with CRLF`).toBe(
      true,
    );

    const raw = Buffer.from(await (await fetch(`${t.http}/api/v1/message/${id}/raw`)).arrayBuffer());
    expect(raw.length, name).toBe(wire.length);
    expect(raw.equals(wire), `${name}: raw differs from the bytes sent`).toBe(true);

    // Text is the mail's text/plain content, without mailparser's conversion of HTML-only mails.
    const expected = await simpleParser(wire, { skipHtmlToText: true });
    const msg = await getJson<Message>(`${t.http}/api/v1/message/${id}`);
    expect(msg.Subject).toBe(expected.subject ?? '');
    expect(msg.From).toEqual(flatten(expected.from)[0] ?? null);
    expect(msg.To).toEqual(flatten(expected.to));
    expect(msg.Cc).toEqual(flatten(expected.cc));
    expect(msg.Text).toBe(expected.text ?? '');
    const names = (list: { FileName: string }[]) => list.map((a) => a.FileName).sort();
    expect(names([...msg.Attachments, ...msg.Inline])).toEqual(
      expected.attachments.map((a) => a.filename ?? '').sort(),
    );
  });

  it('stays up after every malformed mail on one connection, and counts exactly what it stored', async () => {
    const malformed = CORPUS.filter((f) => f.name.startsWith('stalwart/malformed/'));
    const before = (await getJson<{ Messages: number }>(`${t.http}/api/v1/info`)).Messages;
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: t.smtpPort,
      pool: true,
      maxConnections: 1,
    });
    let stored = 0;
    try {
      for (const { path } of malformed) {
        const info = await transport
          .sendMail({
            envelope: { from: 'corpus@mailbeacon.test', to: ['inbox@mailbeacon.test'] },
            raw: readFileSync(path),
          })
          .catch((err: { responseCode?: number }) => ({ response: `${err.responseCode}` }));
        if (/^250 /.test(info.response)) stored++;
        else expect(Number(info.response)).toBeGreaterThanOrEqual(500);
      }
      const after = await transport.sendMail({
        from: 'a@acme.test',
        to: 'b@example.org',
        subject: 'still here',
        text: 'ok',
      });
      expect(after.response).toMatch(/^250 /);
    } finally {
      transport.close();
    }
    const info = await getJson<{ Messages: number }>(`${t.http}/api/v1/info`);
    expect(info.Messages).toBe(before + stored + 1);
  });
});

describe('dataFromWire', () => {
  it('undoes dot-stuffing and keeps the final line break', () => {
    const wire = Buffer.from(
      'EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nA: b\r\n\r\n..dot\r\nx\r\n.\r\nQUIT\r\n',
    );
    expect(dataFromWire(wire).toString()).toBe('A: b\r\n\r\n.dot\r\nx\r\n');
  });

  it('reads an empty message', () => {
    expect(dataFromWire(Buffer.from('EHLO x\r\nDATA\r\n.\r\n')).length).toBe(0);
  });
});
