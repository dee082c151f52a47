// The relay and the webhooks name each mail's inbox: relay entries (API, webhook) and every webhook payload.
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayEntry } from '../../src-main/wire/types.js';
import {
  configureInbox,
  getJson,
  queuedId,
  smtpTransport,
  startSandbox,
  type TestSandbox,
} from '../helpers/sandbox.js';
import { Receiver, verifyStandardWebhook } from '../webhooks/receiver.js';
import { Upstream, waitFor } from './harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const SECRET = 'whsec_' + Buffer.from('a test secret of 24 bytes').toString('base64');

interface Payload {
  type: string;
  data: { Inbox?: string; inbox?: string };
}

describe('relay entries and webhook payloads carry the inbox', () => {
  it('names the SMTP AUTH user inbox in message.received, open, relay.* and GET /api/v1/relay', async () => {
    const up = new Upstream();
    await up.listen();
    cleanups.push(() => up.close());
    const receiver = new Receiver();
    await receiver.listen();
    cleanups.push(() => receiver.close());
    const t = await startSandbox({
      relay: up.url,
      relayAll: true,
      relayRetries: '200ms',
      webhook: [receiver.url],
      webhookSecret: SECRET,
    });
    cleanups.push(() => t.stop());

    await smtpTransport(t, { auth: { user: 'shop', pass: 'any' } }).sendMail({
      from: 'app@sender.test',
      to: 'dev@example.test',
      subject: 'From the shop',
      html: '<html><body><p>Hello</p><a href="https://example.com/a">a</a></body></html>',
    });
    await waitFor('the mail at the upstream', () => up.arrivals.length === 1);
    const pixel = /(http:\/\/[^"\s]+\/o\?t=[^"\s]+)/.exec(
      up.arrivals[0]!.raw.toString().replace(/=\r\n/g, '').replace(/=3D/g, '='),
    )![1]!;
    expect((await fetch(pixel)).status).toBe(200);

    const payloads = () => receiver.received.map((r) => JSON.parse(r.body) as Payload);
    const types = () => payloads().map((p) => p.type);
    await waitFor(
      'message.received, open and relay.sent',
      () => ['message.received', 'open', 'relay.sent'].every((type) => types().includes(type)),
      10_000,
      types,
    );
    expect(receiver.received.every((r) => verifyStandardWebhook(SECRET, r))).toBe(true);
    for (const p of payloads()) {
      // A mail's summary is Mailpit's PascalCase; events and relay entries are our own camel/snake case.
      expect(p.type === 'message.received' ? p.data.Inbox : p.data.inbox, p.type).toBe('shop');
    }

    const relay = await getJson<{ entries: RelayEntry[] }>(`${t.http}/api/v1/relay`);
    expect(relay.entries.map((e) => [e.status, e.inbox])).toEqual([['sent', 'shop']]);
    // Under another inbox the entry is not there, under its own it is.
    const other = await getJson<{ entries: RelayEntry[] }>(`${t.http}/inbox/default/api/v1/relay`);
    expect(other.entries).toEqual([]);
    const own = await getJson<{ entries: RelayEntry[] }>(`${t.http}/inbox/shop/api/v1/relay`);
    expect(own.entries.map((e) => e.inbox)).toEqual(['shop']);
  });
});

async function sendAs(t: TestSandbox, user: string, to: string[]): Promise<string> {
  const transport = smtpTransport(t, { auth: { user, pass: 'any' } });
  try {
    const info = await transport.sendMail({
      from: 'app@sender.test',
      to,
      subject: `${user} mail`,
      text: 'hi',
    });
    return queuedId(info.response);
  } finally {
    transport.close();
  }
}

describe('relay rules per inbox', () => {
  it('relays by each inbox’s mode, pattern and redirect, within the server’s block list', async () => {
    const up = new Upstream();
    await up.listen();
    cleanups.push(() => up.close());
    // No --relay-all / --relay-matching: an inbox without settings relays nothing.
    const t = await startSandbox({ relay: up.url, relayRetries: '200ms', relayBlock: '^blocked@' });
    cleanups.push(() => t.stop());
    await configureInbox(t, 'loud', { Relay: { Mode: 'all' } });
    await configureInbox(t, 'picky', { Relay: { Mode: 'matching', Matching: '@keep\\.test$' } });
    await configureInbox(t, 'redir', { Relay: { Mode: 'all', To: 'catch@redirect.test' } });
    await configureInbox(t, 'quiet', { Relay: { Mode: 'off' } });

    await sendAs(t, 'shop', ['s@any.test']);
    const quiet = await sendAs(t, 'quiet', ['q@keep.test']);
    await sendAs(t, 'loud', ['l@any.test', 'blocked@any.test']);
    await sendAs(t, 'picky', ['x@keep.test', 'y@drop.test', 'blocked@keep.test']);
    await sendAs(t, 'redir', ['z@any.test']);

    // The outbox rows are written with each mail: once the mails are in, the decisions are all there.
    const relay = await getJson<{ entries: RelayEntry[] }>(`${t.http}/api/v1/relay`);
    const decided = relay.entries.map((e) => [e.inbox, e.recipients]).sort();
    expect(decided).toEqual([
      ['loud', ['l@any.test']],
      ['picky', ['x@keep.test']],
      ['redir', ['catch@redirect.test']],
    ]);
    await waitFor('three mails at the upstream', () => up.arrivals.length === 3);
    expect(up.arrivals.map((a) => a.to.join(',')).sort()).toEqual([
      'catch@redirect.test',
      'l@any.test',
      'x@keep.test',
    ]);

    // An inbox whose relay is off is not released by hand either.
    const res = await fetch(`${t.http}/api/v1/message/${quiet}/release`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ To: ['q@keep.test'] }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('relays nothing');

    // A change applies to the next mail at once.
    await configureInbox(t, 'quiet', { Relay: { Mode: 'default' } });
    await configureInbox(t, 'shop', { Relay: { Mode: 'all' } });
    await sendAs(t, 'shop', ['s2@any.test']);
    await waitFor('the fourth mail at the upstream', () => up.arrivals.length === 4);
    expect(up.arrivals[3]!.to).toEqual(['s2@any.test']);
  });
});
