// An inbox's own retention: MaxMessages bounds that inbox in the commit that stores its new mail, MaxAge prunes
// its old mail in the background pass beside --max-age; both announce the pruned mails as message.deleted.
import { afterEach, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src-main/config/load.js';
import { createLogger, type Clock } from '../../src-main/logger.js';
import { Sandbox } from '../../src-main/sandbox.js';
import { smtpTransport } from '../helpers/sandbox.js';

const HOUR = 3_600_000;

function manualClock(start: number): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, nowNs: () => BigInt(now) * 1_000_000n, advance: (ms) => (now += ms) };
}

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

async function start(flags: Record<string, unknown>, clock?: Clock) {
  const settings = loadSettings(
    { smtp: '127.0.0.1:0', http: '127.0.0.1:0', tracking: '127.0.0.1:0', dataDir: ':memory:', ...flags },
    {},
  );
  sandbox = new Sandbox(settings, { logger: createLogger('silent'), ...(clock && { clock }) });
  const addresses = await sandbox.start();
  const [host, port] = addresses.smtp.split(/:(?=\d+$)/);
  const s = sandbox;
  /** Sends into `inbox` (the SMTP user name is the inbox); resolves with the stored id. */
  const send = async (inbox: string, subject: string) => {
    const transport = smtpTransport(
      { smtpHost: host!, smtpPort: Number(port) },
      { auth: { user: inbox, pass: 'x' } },
    );
    try {
      const info = await transport.sendMail({
        from: 'a@shop.test',
        to: 'b@example.test',
        subject,
        text: 'hi',
      });
      return /queued as (\S+)/.exec(info.response)![1]!;
    } finally {
      transport.close();
    }
  };
  const put = async (inbox: string, body: unknown) => {
    const res = await fetch(`${addresses.http}/api/v1/inboxes/${inbox}/settings`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
  };
  const subjects = async (inbox: string) => {
    const res = await fetch(`${addresses.http}/inbox/${inbox}/api/v1/messages`);
    return ((await res.json()) as { messages: { Subject: string }[] }).messages.map((m) => m.Subject);
  };
  const deleted: string[] = [];
  s.bus.on('message.deleted', (ids) => {
    if (ids !== 'all') deleted.push(...ids);
  });
  return { s, send, put, subjects, deleted, http: addresses.http };
}

describe('an inbox with MaxMessages', () => {
  it('keeps its newest mails when a new one comes, while another inbox keeps all of its own', async () => {
    const { s, send, put, subjects, deleted } = await start({});
    await send('shop', 'first'); // the inbox exists from its first mail
    await put('shop', { MaxMessages: 3 });
    const sent: string[] = [];
    for (let i = 1; i <= 5; i++) {
      sent.push(await send('shop', `shop ${i}`));
      await send('other', `other ${i}`);
    }
    expect(await subjects('shop')).toEqual(['shop 5', 'shop 4', 'shop 3']);
    expect(await subjects('other')).toHaveLength(5);
    // The first mail and shop 1 and 2 went, each announced once.
    expect(deleted).toHaveLength(3);
    expect(deleted).toEqual(expect.arrayContaining(sent.slice(0, 2)));
    // The store's running count follows.
    expect((await s.store.count()).total).toBe(8);
    const info = (await (await fetch(`${s.addresses.http}/api/v1/info`)).json()) as { Messages: number };
    expect(info.Messages).toBe(8);
  });

  it('prunes mails sent together in one commit down to the bound too', async () => {
    const { send, put, subjects } = await start({});
    await send('burst', 'seed');
    await put('burst', { MaxMessages: 2 });
    await Promise.all([1, 2, 3, 4].map((i) => send('burst', `b${i}`)));
    expect(await subjects('burst')).toHaveLength(2);
  });

  it('bounds nothing again once the setting is back to null', async () => {
    const { send, put, subjects } = await start({});
    await send('shop', 'a');
    await put('shop', { MaxMessages: 1 });
    await send('shop', 'b');
    expect(await subjects('shop')).toEqual(['b']);
    await put('shop', { MaxMessages: null });
    await send('shop', 'c');
    expect(await subjects('shop')).toEqual(['c', 'b']);
  });
});

describe('an inbox with MaxAge', () => {
  it("prunes only that inbox's old mail in the background pass", async () => {
    const clock = manualClock(Date.UTC(2026, 0, 10));
    const { s, send, put, subjects, deleted } = await start({}, clock);
    const oldShop = await send('shop', 'old shop');
    await send('other', 'old other');
    await put('shop', { MaxAge: '12h' });
    clock.advance(13 * HOUR);
    await send('shop', 'new shop');
    await s.retention.runOnce();
    expect(await subjects('shop')).toEqual(['new shop']);
    expect(await subjects('other')).toEqual(['old other']);
    expect(deleted).toEqual([oldShop]);
  });

  it('overrides --max-age both ways: a longer age keeps its mail, the other inboxes follow the flag', async () => {
    const clock = manualClock(Date.UTC(2026, 0, 10));
    const { s, send, put, subjects } = await start({ maxAge: '1h' }, clock);
    await send('archive', 'kept');
    await send('short', 'gone too');
    await send('other', 'gone');
    await put('archive', { MaxAge: '7d' });
    await put('short', { MaxAge: '30m' });
    clock.advance(2 * HOUR);
    await s.retention.runOnce();
    expect(await subjects('archive')).toEqual(['kept']);
    expect(await subjects('short')).toEqual([]);
    expect(await subjects('other')).toEqual([]);
    clock.advance(7 * 24 * HOUR);
    await s.retention.runOnce();
    expect(await subjects('archive')).toEqual([]);
  });
});
