// An inbox's own webhook URL (its settings) receives that inbox's events, signed with its secret, beside the
// --webhook URLs that receive every inbox's.
import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookDelivery } from '../../src-main/wire/types.js';
import {
  configureInbox,
  getJson,
  smtpTransport,
  startSandbox,
  type TestSandbox,
} from '../helpers/sandbox.js';
import { waitFor } from '../relay/harness.js';
import { Receiver, verifyStandardWebhook, type Received } from './receiver.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const secretOf = (text: string) => 'whsec_' + Buffer.from(text.padEnd(24, '.')).toString('base64');
const SERVER = secretOf('the server secret');
const ALPHA = secretOf('the alpha secret');
const BETA = secretOf('the beta secret');

async function receiver(): Promise<Receiver> {
  const r = new Receiver();
  await r.listen();
  cleanups.push(() => r.close());
  return r;
}

async function sendAs(t: TestSandbox, user: string): Promise<string> {
  const transport = smtpTransport(t, { auth: { user, pass: 'any' } });
  try {
    const info = await transport.sendMail({
      from: 'app@sender.test',
      to: 'dev@example.test',
      subject: `${user} mail`,
      html: '<html><body><p>Hello</p><a href="https://example.com/a">a</a></body></html>',
    });
    return info.response;
  } finally {
    transport.close();
  }
}

interface Payload {
  type: string;
  data: { Inbox?: string; inbox?: string };
}
const inboxOf = (r: Received) => {
  const p = JSON.parse(r.body) as Payload;
  return `${p.type}:${p.data.Inbox ?? p.data.inbox}`;
};

describe('webhooks per inbox', () => {
  it('delivers each inbox’s events to its own URL with its own secret, and every inbox’s to --webhook', async () => {
    const [all, alpha, beta] = [await receiver(), await receiver(), await receiver()];
    const t = await startSandbox({
      webhook: [all.url],
      webhookSecret: SERVER,
      webhookRetries: '200ms',
      allowInternalHttpRequests: true,
    });
    cleanups.push(() => t.stop());
    await configureInbox(t, 'alpha', { Webhook: { URL: alpha.url, Secret: ALPHA } });
    await configureInbox(t, 'beta', { Webhook: { URL: beta.url, Secret: BETA } });

    await sendAs(t, 'alpha');
    await sendAs(t, 'beta');
    await sendAs(t, 'gamma');
    // An open of alpha's mail: a tracking event of that inbox.
    const raw = await (await fetch(`${t.http}/inbox/alpha/api/v1/message/latest/raw?version=tracked`)).text();
    const pixel = /(http:\/\/[^"\s]+\/o\?t=[^"\s]+)/.exec(
      raw.replace(/=\r\n/g, '').replace(/=3D/g, '='),
    )![1]!;
    expect((await fetch(pixel)).status).toBe(200);

    await waitFor(
      'alpha’s two events',
      () => alpha.received.length === 2,
      10_000,
      () => alpha.received.map(inboxOf),
    );
    await waitFor('beta’s event', () => beta.received.length === 1);
    await waitFor(
      'every event at --webhook',
      () => all.received.length === 4,
      10_000,
      () => all.received.map(inboxOf),
    );

    expect(alpha.received.map(inboxOf).sort()).toEqual(['message.received:alpha', 'open:alpha']);
    expect(beta.received.map(inboxOf)).toEqual(['message.received:beta']);
    expect(all.received.map(inboxOf).sort()).toEqual([
      'message.received:alpha',
      'message.received:beta',
      'message.received:gamma',
      'open:alpha',
    ]);
    expect(alpha.received.every((r) => verifyStandardWebhook(ALPHA, r))).toBe(true);
    expect(alpha.received.some((r) => verifyStandardWebhook(SERVER, r))).toBe(false);
    expect(beta.received.every((r) => verifyStandardWebhook(BETA, r))).toBe(true);
    expect(all.received.every((r) => verifyStandardWebhook(SERVER, r))).toBe(true);

    // The deliveries say which URL, and whose; under an inbox, another inbox's own deliveries are not listed.
    const { deliveries } = await getJson<{ deliveries: WebhookDelivery[] }>(
      `${t.http}/api/v1/webhooks/deliveries`,
    );
    const targets = new Set(deliveries.map((d) => `${d.inbox ?? '--webhook'} ${d.url}`));
    expect(targets).toEqual(new Set([`--webhook ${all.url}`, `alpha ${alpha.url}`, `beta ${beta.url}`]));
    const underBeta = await getJson<{ deliveries: WebhookDelivery[] }>(
      `${t.http}/inbox/beta/api/v1/webhooks/deliveries`,
    );
    expect(underBeta.deliveries.some((d) => d.inbox === 'alpha')).toBe(false);
  });

  it('refuses an inbox’s URL at an internal address without --allow-internal-http-requests', async () => {
    const own = await receiver();
    const t = await startSandbox({ webhookRetries: '100ms' });
    cleanups.push(() => t.stop());
    await configureInbox(t, 'alpha', { Webhook: { URL: own.url, Secret: ALPHA } });
    await sendAs(t, 'alpha');
    let deliveries: WebhookDelivery[] = [];
    for (let i = 0; i < 200 && deliveries[0]?.status !== 'dead'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      deliveries = (await getJson<{ deliveries: WebhookDelivery[] }>(`${t.http}/api/v1/webhooks/deliveries`))
        .deliveries;
    }
    expect(deliveries.map((d) => [d.inbox, d.status])).toEqual([['alpha', 'dead']]);
    expect(own.received).toEqual([]);
    expect(deliveries[0]!.attempts[0]!.error).toMatch(/internal address/);
  });
});
