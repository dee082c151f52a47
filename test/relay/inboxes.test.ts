// The relay and the webhooks name each mail's inbox: relay entries (API, webhook) and every webhook payload.
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayEntry } from '../../src-main/wire/types.js';
import { getJson, smtpTransport, startSandbox } from '../helpers/sandbox.js';
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
