// A `250` is a promise: the mail is on disk. These tests run `mailbeacon serve` as its own process, burst mail at it
// from several connections, kill it mid-burst (SIGKILL, no chance to flush anything) or stop it (SIGTERM), start it
// again on the same data dir and look for every acknowledged mail through the API.
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message, MessagesSummary } from '../../src-main/wire/types.js';
import { ServeProcess } from '../../bench/lib/serve-process.js';
import { getJson, queuedId, tempDir } from '../helpers/sandbox.js';

/** Several clients at once, as a test suite or a queue worker would connect. */
const TRANSPORTS = 4;
const CONNECTIONS_PER_TRANSPORT = 2;
const MAILS_PER_TRANSPORT = 100;

/** Starts to try the stop-right-after-start race; it lost about one start in five when it was found. */
const SIGNAL_RACE_ATTEMPTS = 8;

/** The Mailpit API's largest page here; above the burst size, so one request lists everything. */
const PAGE = 5000;

interface Burst {
  /** Index of the mail → id from its 250 reply. */
  acked: Map<number, string>;
  failed: number;
}

/**
 * Sends TRANSPORTS × MAILS_PER_TRANSPORT mails over pooled connections; `onAck` sees each acknowledgement as it arrives
 * (the test stops the server from there). Resolves once every send has either been acknowledged or failed.
 */
async function burst(serve: ServeProcess, onAck: (acked: number) => void): Promise<Burst> {
  const acked = new Map<number, string>();
  let failed = 0;
  const transports = Array.from({ length: TRANSPORTS }, () =>
    nodemailer.createTransport({
      host: serve.smtpHost,
      port: serve.smtpPort,
      pool: true,
      maxConnections: CONNECTIONS_PER_TRANSPORT,
      maxMessages: Infinity,
      connectionTimeout: 5_000,
      greetingTimeout: 5_000,
      socketTimeout: 10_000,
    }),
  );
  const sends = transports.flatMap((transport, t) =>
    Array.from({ length: MAILS_PER_TRANSPORT }, (_, i) => {
      const n = t * MAILS_PER_TRANSPORT + i;
      return transport
        .sendMail({
          from: `app${t}@acme.test`,
          to: `user${n}@example.org`,
          subject: `burst mail ${n}`,
          text: `mail number ${n}\n${'lorem ipsum '.repeat(40)}`,
          html: `<p>mail number <b>${n}</b></p>`,
        })
        .then(
          (info) => {
            acked.set(n, queuedId(info.response));
            onAck(acked.size);
          },
          () => {
            failed++;
          },
        );
    }),
  );
  await Promise.allSettled(sends);
  for (const transport of transports) transport.close();
  return { acked, failed };
}

async function listAll(http: string): Promise<MessagesSummary> {
  return getJson<MessagesSummary>(`${http}/api/v1/messages?limit=${PAGE}`);
}

/** Every acknowledged mail is stored, under its id, with its own subject; nothing stored is someone else's. */
async function expectAcknowledgedStored(http: string, acked: Map<number, string>): Promise<void> {
  const list = await listAll(http);
  const byId = new Map(list.messages.map((m) => [m.ID, m]));
  const missing = [...acked].filter(([, id]) => !byId.has(id));
  expect(missing, `acknowledged but lost: ${missing.length}`).toEqual([]);
  for (const [n, id] of acked) expect(byId.get(id)!.Subject).toBe(`burst mail ${n}`);
  for (const m of list.messages) expect(m.Subject).toMatch(/^burst mail \d+$/);
  const [n, id] = [...acked][0]!;
  const full = await getJson<Message>(`${http}/api/v1/message/${id}`);
  expect(full.Text).toContain(`mail number ${n}`);
}

describe('durability of acknowledged mail', () => {
  const cleanup: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function serveOn(dataDir: string): Promise<ServeProcess> {
    const serve = await ServeProcess.start({ dataDir });
    cleanup.push(() => serve.crash());
    return serve;
  }

  it('keeps every mail that got a 250 when the server is killed with SIGKILL mid-burst', async () => {
    const dir = tempDir();
    cleanup.push(dir.remove);
    const first = await serveOn(dir.dir);
    const total = TRANSPORTS * MAILS_PER_TRANSPORT;
    let killed: Promise<unknown> | undefined;
    const { acked, failed } = await burst(first, (count) => {
      // Kill once a third is through: connections are busy, mails are mid-DATA and mid-commit.
      if (count >= total / 3) killed ??= first.crash();
    });
    const exit = await killed;
    expect(exit).toMatchObject({ signal: 'SIGKILL' });
    // The kill really landed in the middle: some mail was acknowledged, some never was.
    expect(acked.size).toBeGreaterThanOrEqual(total / 3);
    expect(failed).toBeGreaterThan(0);
    expect(acked.size + failed).toBe(total);

    const second = await serveOn(dir.dir);
    await expectAcknowledgedStored(second.http, acked);
    // Mail committed whose reply was lost in the kill may be there too; never more than was sent.
    const list = await listAll(second.http);
    expect(list.total).toBeGreaterThanOrEqual(acked.size);
    expect(list.total).toBeLessThanOrEqual(total);

    // The restarted server takes new mail on the same store.
    const transport = nodemailer.createTransport({
      host: second.smtpHost,
      port: second.smtpPort,
    });
    const info = await transport.sendMail({
      from: 'a@acme.test',
      to: 'b@example.org',
      subject: 'burst mail 9999',
      text: 'x',
    });
    transport.close();
    expect(info.response).toMatch(/^250 /);
    expect((await listAll(second.http)).total).toBe(list.total + 1);
  });

  it('stops cleanly on SIGTERM mid-burst: exit code 0 and every acknowledged mail kept', async () => {
    const dir = tempDir();
    cleanup.push(dir.remove);
    const first = await serveOn(dir.dir);
    let stopped: Promise<unknown> | undefined;
    const { acked } = await burst(first, (count) => {
      if (count >= 50) stopped ??= first.stop();
    });
    const exit = await stopped;
    expect(exit, first.stderr).toEqual({ code: 0, signal: null });
    expect(acked.size).toBeGreaterThanOrEqual(50);

    const second = await serveOn(dir.dir);
    await expectAcknowledgedStored(second.http, acked);
    expect(await second.stop()).toEqual({ code: 0, signal: null });
  });

  it('stops cleanly on SIGTERM sent the moment the addresses are printed', async () => {
    // A script reads the JSON line and may stop the server right away; the signal must not find it unprepared.
    for (let attempt = 0; attempt < SIGNAL_RACE_ATTEMPTS; attempt++) {
      const dir = tempDir();
      cleanup.push(dir.remove);
      const serve = await serveOn(dir.dir);
      expect(await serve.stop(), `attempt ${attempt}`).toEqual({ code: 0, signal: null });
    }
  });
});
