import { afterEach, describe, expect, it } from 'vitest';
import type { RelayEntry, WebhookDelivery } from '../../src-main/wire/types.js';
import { getJson, smtpTransport, startSandbox } from '../helpers/sandbox.js';
import { Receiver, verifyStandardWebhook } from '../webhooks/receiver.js';
import { Upstream, waitFor } from './harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/**
 * The relay and webhooks as the Sandbox wires them: mail in over SMTP, the tracked mail out at a real upstream, and
 * message.received plus relay.sent at a real webhook receiver.
 */
describe('relay and webhooks in a running sandbox', () => {
  it('relays the tracked mail caught over SMTP and reports it to the webhook', async () => {
    const up = new Upstream();
    await up.listen();
    cleanups.push(() => up.close());
    const receiver = new Receiver();
    await receiver.listen();
    cleanups.push(() => receiver.close());
    const secret = 'whsec_' + Buffer.from('a test secret of 24 bytes').toString('base64');
    const t = await startSandbox({
      relay: up.url,
      relayAll: true,
      relayRetries: '200ms',
      webhook: [receiver.url],
      webhookSecret: secret,
      webhookEvents: 'message.received,relay.sent',
    });
    cleanups.push(() => t.stop());

    await smtpTransport(t).sendMail({
      from: 'app@sender.test',
      to: 'dev@example.test',
      subject: 'Through the sandbox',
      html: '<html><body><a href="https://example.com/a">a</a></body></html>',
    });
    await waitFor('the mail at the upstream', () => up.arrivals.length === 1);
    expect(up.arrivals[0]!.to).toEqual(['dev@example.test']);
    expect(up.arrivals[0]!.raw.toString()).toContain(`${t.sandbox.addresses.trackingUrl}/o?t=`);

    await waitFor('two webhook deliveries', () => receiver.received.length === 2);
    const relay = await getJson<{ entries: RelayEntry[] }>(`${t.http}/api/v1/relay`);
    expect(relay.entries.map((e) => e.status)).toEqual(['sent']);
    expect(receiver.received.every((r) => verifyStandardWebhook(secret, r))).toBe(true);
    const types = receiver.received.map((r) => (JSON.parse(r.body) as { type: string }).type).sort();
    expect(types).toEqual(['message.received', 'relay.sent']);
    const { deliveries } = await getJson<{ deliveries: WebhookDelivery[] }>(
      `${t.http}/api/v1/webhooks/deliveries`,
    );
    expect(deliveries.map((d) => d.status)).toEqual(['delivered', 'delivered']);
  });
});
