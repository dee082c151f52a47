import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RELAY_ID_HEADER } from '../../src-main/relay/index.js';
import { prependHeader, removeHeader } from '../../src-main/relay/headers.js';
import { tempDir } from '../helpers/sandbox.js';
import { Upstream, catchMail, openPipeline, waitFor, type Pipeline } from './harness.js';

/** Short enough for a test, long enough that a retry is visibly a retry. */
const FAST_RETRIES = '200ms,200ms,500ms';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function upstream(): Promise<Upstream> {
  const u = new Upstream();
  await u.listen();
  cleanups.push(() => u.close());
  return u;
}

function pipeline(flags: Record<string, unknown>): Pipeline {
  const temp = tempDir('mb-relay-');
  const p = openPipeline(temp.dir, { relayRetries: FAST_RETRIES, ...flags });
  cleanups.push(() => temp.remove());
  cleanups.push(() => p.close());
  return p;
}

const relayIdOf = (raw: Buffer) =>
  new RegExp(`^${RELAY_ID_HEADER}: (\\S+)\\r?\\n`).exec(raw.toString('latin1'))?.[1];

describe('relay', () => {
  it('forwards the tracked mail with the original envelope sender, exactly as stored but for its headers', async () => {
    const up = await upstream();
    const p = pipeline({ relay: up.url, relayAll: true });
    const { id } = await catchMail(p, ['Dev@Example.test']);

    await waitFor('the mail at the upstream', () => up.arrivals.length === 1);
    const arrival = up.arrivals[0]!;
    expect(arrival.from).toBe('bounce@sender.test');
    expect(arrival.to).toEqual(['dev@example.test']);

    const stored = (await p.store.raw(id))!;
    expect(stored.tracked).not.toBeNull();
    const relayId = relayIdOf(arrival.raw);
    expect(relayId).toMatch(/^[0-9a-f-]{36}$/);
    expect(arrival.raw.equals(prependHeader(stored.tracked!, RELAY_ID_HEADER, relayId!))).toBe(true);
    expect(arrival.raw.toString()).toContain('http://127.0.0.1:8026/o?t=');

    await waitFor('status sent', async () => (await p.relay.list())[0]?.status === 'sent');
    const [entry] = await p.relay.list();
    expect(entry).toMatchObject({
      messageId: id,
      recipients: ['dev@example.test'],
      reason: 'rule',
      nextAttemptAt: null,
    });
    expect(entry!.attempts).toHaveLength(1);
    expect(entry!.attempts[0]!.ok).toBe(true);
    expect(entry!.attempts[0]!.reply).toMatch(/^250/);
    // A free connection claims the row in the mail's own transaction: it is never pending.
    expect(p.statuses.map((s) => s.status)).toEqual(['sending', 'sent']);
  });

  it('sends the original with --relay-original, the --relay-from sender, and never the X-Mailbeacon-Track header', async () => {
    const up = await upstream();
    const p = pipeline({
      relay: up.url,
      relayAll: true,
      relayOriginal: true,
      relayFrom: 'relay@sandbox.test',
    });
    const { id } = await catchMail(p, ['dev@example.test'], { headers: { 'X-Mailbeacon-Track': 'off' } });

    await waitFor('the mail at the upstream', () => up.arrivals.length === 1);
    const arrival = up.arrivals[0]!;
    expect(arrival.from).toBe('relay@sandbox.test');
    const stored = (await p.store.raw(id))!;
    expect(stored.raw.toString()).toMatch(/^X-Mailbeacon-Track: off/im);
    expect(arrival.raw.toString()).not.toMatch(/X-Mailbeacon-Track/i);
    expect(arrival.raw.toString()).not.toContain('/o?t=');
    const expected = prependHeader(
      removeHeader(stored.raw, 'X-Mailbeacon-Track'),
      RELAY_ID_HEADER,
      relayIdOf(arrival.raw)!,
    );
    expect(arrival.raw.equals(expected)).toBe(true);
  });

  it('applies --relay-matching, then --relay-allow and --relay-block, then --relay-to', async () => {
    const up = await upstream();
    const p = pipeline({
      relay: up.url,
      relayMatching: '@(ok|blocked|other)\\.test$',
      relayAllow: '@(ok|blocked)\\.test$',
      relayBlock: '^stop@',
    });
    await catchMail(p, ['a@ok.test', 'stop@blocked.test', 'c@other.test', 'd@unmatched.test']);
    await catchMail(p, ['e@unmatched.test'], { subject: 'nobody matches' });
    await catchMail(p, ['stop@ok.test'], { subject: 'only blocked' });

    await waitFor('one mail at the upstream', () => up.arrivals.length === 1);
    expect(up.arrivals[0]!.to).toEqual(['a@ok.test']);
    expect(await p.relay.list()).toHaveLength(1);

    const up2 = await upstream();
    const q = pipeline({ relay: up2.url, relayAll: true, relayBlock: 'blocked', relayTo: 'inbox@me.test' });
    await catchMail(q, ['x@any.test', 'y@any.test']);
    await catchMail(q, ['z@blocked.test'], { subject: 'blocked' });
    await waitFor('the redirected mail', () => up2.arrivals.length === 1);
    expect(up2.arrivals[0]!.to).toEqual(['inbox@me.test']);
    expect(await q.relay.list()).toHaveLength(1);
  });

  it('dead-letters a 5xx at once, without retries', async () => {
    const up = await upstream();
    up.answer = () => Object.assign(new Error('mailbox unavailable'), { responseCode: 550 });
    const p = pipeline({ relay: up.url, relayAll: true });
    await catchMail(p, ['dev@example.test']);

    await waitFor('status dead', async () => (await p.relay.list())[0]?.status === 'dead');
    const [entry] = await p.relay.list();
    expect(entry!.attempts).toHaveLength(1);
    expect(entry!.attempts[0]).toMatchObject({ ok: false });
    expect(entry!.attempts[0]!.reply).toMatch(/^550/);
    // Give a wrongly scheduled retry time to happen: the first retry would be due after 200 ms.
    await new Promise((r) => setTimeout(r, 500));
    expect((await p.relay.list())[0]!.attempts).toHaveLength(1);
    expect(p.logs.some((l) => l.tag === 'relay' && /is dead: 550/.test(l.message))).toBe(true);
  });

  it('retries 4xx by the schedule and dead-letters after the last retry; the retry route revives it', async () => {
    const up = await upstream();
    up.answer = () => Object.assign(new Error('try again later'), { responseCode: 451 });
    const p = pipeline({ relay: up.url, relayAll: true });
    await catchMail(p, ['dev@example.test']);

    await waitFor('status dead', async () => (await p.relay.list())[0]?.status === 'dead');
    const [entry] = await p.relay.list();
    // one attempt plus one per retry in '200ms,200ms,500ms'
    expect(entry!.attempts.map((a) => a.reply.slice(0, 3))).toEqual(['451', '451', '451', '451']);
    const statuses = p.statuses.map((s) => s.status);
    expect(statuses.filter((s) => s === 'failed')).toHaveLength(3);
    expect(statuses.at(-1)).toBe('dead');

    up.answer = () => undefined;
    expect((await p.relay.retry(entry!.id)).status).toBe('pending');
    await waitFor('status sent', async () => (await p.relay.list())[0]?.status === 'sent');
    expect(up.arrivals).toHaveLength(1);
    expect((await p.relay.list())[0]!.attempts).toHaveLength(5);
    await expect(p.relay.retry(entry!.id)).rejects.toThrow(/only failed or dead/);
  });

  it('keeps a burst waiting while the upstream is down, across a restart, and delivers each mail exactly once', async () => {
    const up = new Upstream();
    const port = await up.listen();
    await up.close(); // down: connections are refused
    cleanups.push(() => up.close());

    const temp = tempDir('mb-relay-restart-');
    cleanups.push(() => temp.remove());
    const flags = {
      relay: `smtp://127.0.0.1:${port}`,
      relayAll: true,
      relayRetries:
        '100ms,200ms,300ms,400ms,500ms,500ms,500ms,500ms,500ms,500ms,500ms,500ms,500ms,500ms,500ms,500ms,500ms,500ms,500ms,500ms',
    };
    const first = openPipeline(temp.dir, flags);
    const sent: string[] = [];
    try {
      for (let i = 0; i < 20; i++) sent.push((await catchMail(first, [`user${i}@example.test`])).messageId);
      await waitFor(
        'every mail tried once',
        async () =>
          (await first.relay.list()).length === 20 &&
          (await first.relay.list()).every((e) => e.attempts.length >= 1),
      );
      expect((await first.relay.list()).every((e) => e.status !== 'sent' && e.status !== 'dead')).toBe(true);
      expect((await first.relay.list())[0]!.attempts[0]!.reply).toMatch(/ECONNREFUSED|ECONNECTION/);
    } finally {
      await first.close();
    }

    const second = openPipeline(temp.dir, flags);
    cleanups.push(() => second.close());
    await up.listen(port); // back up
    await waitFor(
      'every mail sent',
      async () => (await second.relay.list()).every((e) => e.status === 'sent'),
      20_000,
    );

    const counts = up.countByMessageId();
    expect([...counts.keys()].sort()).toEqual([...sent].sort());
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(up.arrivals).toHaveLength(20);
  });

  it('resumes a row a crashed process left in sending, and sends it once', async () => {
    const up = await upstream();
    const temp = tempDir('mb-relay-crash-');
    cleanups.push(() => temp.remove());
    const first = openPipeline(temp.dir, { relay: up.url, relayAll: true });
    await first.relay.stop(); // nothing sends: the row stays pending
    const { messageId } = await catchMail(first, ['dev@example.test']);
    // What a crash mid-send leaves behind: the row claimed, no outcome recorded.
    first.db.prepare(`UPDATE relay_outbox SET status = 'sending'`).run();
    first.db.close();

    const second = openPipeline(temp.dir, { relay: up.url, relayAll: true });
    cleanups.push(() => second.close());
    await waitFor('status sent', async () => (await second.relay.list())[0]?.status === 'sent');
    expect([...up.countByMessageId()]).toEqual([[messageId, 1]]);
    expect(second.logs.some((l) => /were being relayed when Mailbeacon stopped/.test(l.message))).toBe(true);
  });

  it('stops within its grace period on a hung upstream, and the next start sends the mail once', async () => {
    const hung = await upstream();
    hung.stall = true;
    const temp = tempDir('mb-relay-hung-');
    cleanups.push(() => temp.remove());
    const first = openPipeline(temp.dir, { relay: hung.url, relayAll: true }, { stopGraceMs: 300 });
    const { messageId } = await catchMail(first, ['dev@example.test']);
    await waitFor('the send under way', async () => (await first.relay.list())[0]?.status === 'sending');
    await first.close(); // returns once the grace period is over, not after the 2-minute socket timeout
    expect(hung.arrivals).toHaveLength(0);

    const up = await upstream();
    const second = openPipeline(temp.dir, { relay: up.url, relayAll: true });
    cleanups.push(() => second.close());
    await waitFor('status sent', async () => (await second.relay.list())[0]?.status === 'sent');
    expect([...up.countByMessageId()]).toEqual([[messageId, 1]]);
    // The aborted send was not counted as an attempt of the upstream's.
    expect((await second.relay.list())[0]!.attempts.map((a) => a.ok)).toEqual([true]);
  });

  it('stops within its grace period while a connection is still waiting for the greeting', async () => {
    // Takes connections and never says a word: the session setup would wait for its own timeout (30 s).
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const { port } = silent.address() as { port: number };
    const temp = tempDir('mb-relay-silent-');
    cleanups.push(() => temp.remove());
    const first = openPipeline(
      temp.dir,
      { relay: `smtp://127.0.0.1:${port}`, relayAll: true },
      { stopGraceMs: 300 },
    );
    const { messageId } = await catchMail(first, ['dev@example.test']);
    await waitFor('a connection to the silent upstream', () => sockets.size === 1);
    await first.close(); // returns once the grace period is over

    const up = await upstream();
    const second = openPipeline(temp.dir, { relay: up.url, relayAll: true });
    cleanups.push(() => second.close());
    await waitFor('status sent', async () => (await second.relay.list())[0]?.status === 'sent');
    expect([...up.countByMessageId()]).toEqual([[messageId, 1]]);
    // The send that never got going was left claimed, not failed: resumed, and no attempt counted.
    expect(second.logs.some((l) => /were being relayed when Mailbeacon stopped/.test(l.message))).toBe(true);
    expect((await second.relay.list())[0]!.attempts.map((a) => a.ok)).toEqual([true]);
  });

  it('re-signs with DKIM covering List-Unsubscribe and List-Unsubscribe-Post', async () => {
    const up = await upstream();
    const temp = tempDir('mb-relay-dkim-');
    cleanups.push(() => temp.remove());
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = join(temp.dir, 'dkim.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const p = pipeline({
      relay: up.url,
      relayAll: true,
      relayDkimDomain: 'sender.test',
      relayDkimSelector: 'mb',
      relayDkimKey: keyFile,
    });
    await catchMail(p, ['dev@example.test']);
    await waitFor('the mail at the upstream', () => up.arrivals.length === 1);
    const text = up.arrivals[0]!.raw.toString();
    expect(text).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
    const signature = /^DKIM-Signature:([^]*?)\r\n(?![ \t])/m.exec(text)?.[1]?.replace(/\s+/g, '') ?? '';
    expect(signature).toContain('d=sender.test');
    expect(signature).toContain('s=mb');
    const signed = /(?:^|;)h=([^;]+)/.exec(signature)![1]!.toLowerCase().split(':');
    expect(signed).toEqual(
      expect.arrayContaining(['from', 'subject', 'list-unsubscribe', 'list-unsubscribe-post']),
    );
  });
});

describe('relay over TLS', () => {
  async function tlsUpstream(tls: 'starttls' | 'implicit'): Promise<Upstream> {
    const u = new Upstream(tls);
    await u.listen();
    cleanups.push(() => u.close());
    return u;
  }

  it('uses STARTTLS when offered, and refuses an unverifiable certificate unless --relay-tls-insecure', async () => {
    const strict = await tlsUpstream('starttls');
    const p = pipeline({ relay: strict.url, relayAll: true, relayRetries: '' });
    await catchMail(p, ['dev@example.test']);
    await waitFor('status dead', async () => (await p.relay.list())[0]?.status === 'dead');
    expect((await p.relay.list())[0]!.attempts[0]!.reply).toMatch(/certificate/i);
    expect(strict.arrivals).toHaveLength(0);

    const lax = await tlsUpstream('starttls');
    const q = pipeline({ relay: lax.url, relayAll: true, relayTlsInsecure: true });
    await catchMail(q, ['dev@example.test']);
    await waitFor('the mail at the upstream', () => lax.arrivals.length === 1);
    expect(lax.arrivals[0]!.secure).toBe(true);
  });

  it('speaks implicit TLS to an smtps:// upstream', async () => {
    const up = await tlsUpstream('implicit');
    const p = pipeline({ relay: up.url, relayAll: true, relayTlsInsecure: true });
    await catchMail(p, ['dev@example.test']);
    await waitFor('the mail at the upstream', () => up.arrivals.length === 1);
    expect(up.arrivals[0]!.secure).toBe(true);
  });
});

describe('relay outbox retention', () => {
  it('keeps the newest entries and every waiting one, deleting older sent and dead entries with their attempts', async () => {
    const temp = tempDir('mb-relay-prune-');
    cleanups.push(() => temp.remove());
    const p = openPipeline(temp.dir, { relay: 'smtp://127.0.0.1:1', relayAll: true });
    cleanups.push(() => p.close());
    await p.relay.stop(); // rows are driven by hand below
    const { outbox } = p.relay;
    const ids = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        outbox.enqueue({
          messageId: `m${i}`,
          inbox: 'default',
          subject: '',
          envelopeFrom: '',
          recipients: ['a@b.test'],
          reason: 'rule',
          nowMs: i,
        }),
      ),
    );
    const finish = async (id: number, status: 'sent' | 'dead') =>
      await outbox.finishAll(
        [{ id, atMs: 10, attempt: { ok: status === 'sent', reply: status }, status, next: null }],
        10,
      );
    await finish(ids[0]!, 'sent');
    await finish(ids[2]!, 'dead');
    await finish(ids[3]!, 'sent');
    await finish(ids[5]!, 'sent');
    // ids[1] and ids[4] are still pending
    expect(await outbox.prune(2)).toBe(3);
    expect((await outbox.list()).map((e) => e.id)).toEqual([ids[5], ids[4], ids[1]]);
    const attempts = p.db.prepare('SELECT count(*) FROM relay_attempts').pluck().get();
    expect(attempts).toBe(1);
  });
});
