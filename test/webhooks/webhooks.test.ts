import { statSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayEntry, WebhookDelivery } from '../../src-main/wire/types.js';
import { registerWebhookRoutes } from '../../src-main/api/routes/webhooks.js';
import { loadSettings } from '../../src-main/config/load.js';
import { createLogger } from '../../src-main/logger.js';
import { createWebhooks, generateSecret, type WebhookDispatcher } from '../../src-main/webhooks/index.js';
import { SqliteWebhookDeliveries } from '../../src-main/store/sqlite/webhook-deliveries.js';
import { SECRET_FILE, loadOrCreateWebhookSecret } from '../../src-main/webhooks/secret.js';
import { smtpTransport, startSandbox, tempDir, type TestSandbox } from '../helpers/sandbox.js';
import { waitFor } from '../relay/harness.js';
import { Receiver, verifyStandardWebhook } from './receiver.js';

const FAST_RETRIES = '200ms,200ms,500ms';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function receiver(): Promise<Receiver> {
  const r = new Receiver();
  await r.listen();
  cleanups.push(() => r.close());
  return r;
}

async function sandbox(): Promise<TestSandbox> {
  const t = await startSandbox();
  cleanups.push(() => t.stop());
  return t;
}

/** The dispatcher on a running sandbox's database and bus, as the sandbox would build it from these flags. */
function dispatcher(
  t: TestSandbox,
  flags: Record<string, unknown>,
): { webhooks: WebhookDispatcher; secret: string } {
  const secret = generateSecret();
  const settings = loadSettings(
    { dataDir: t.dataDir, webhookSecret: secret, webhookRetries: FAST_RETRIES, ...flags },
    {},
  );
  const { sandbox: s } = t;
  const webhooks = createWebhooks(settings, {
    deliveries: s.storage.webhookDeliveries,
    bus: s.bus,
    logger: createLogger('info', (l) => t.logs.push(l)).child('webhooks'),
    clock: s.clock,
  })!;
  webhooks.start();
  cleanups.push(() => webhooks.stop()); // runs before the sandbox stops: cleanups pop in reverse
  return { webhooks, secret };
}

async function sendMail(t: TestSandbox, subject = 'Webhook test'): Promise<void> {
  await smtpTransport(t).sendMail({
    from: 'app@sender.test',
    to: 'dev@example.test',
    subject,
    html: '<html><body><a href="https://example.com/x">x</a></body></html>',
  });
}

async function routes(webhooks: WebhookDispatcher): Promise<{ app: FastifyInstance; base: string }> {
  const app = Fastify();
  registerWebhookRoutes(app, { webhooks });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  cleanups.push(() => app.close());
  return { app, base };
}

const last = async (w: WebhookDispatcher): Promise<WebhookDelivery> => (await w.list())[0]!;

describe('webhooks', () => {
  it('keeps an event while the receiver is down and delivers it once, validly signed, when it is back', async () => {
    const r = new Receiver();
    const port = await r.listen();
    await r.close();
    cleanups.push(() => r.close());
    const t = await sandbox();
    const { webhooks, secret } = dispatcher(t, {
      webhook: [`http://127.0.0.1:${port}/hooks`],
      webhookEvents: 'message.received',
      webhookRetries: '200ms,300ms,300ms,500ms,500ms,500ms,500ms,500ms',
    });

    await sendMail(t);
    await waitFor('a failed attempt', async () => (await webhooks.list())[0]?.attempts.length === 1);
    expect(await last(webhooks)).toMatchObject({ status: 'failed', eventType: 'message.received' });
    expect((await last(webhooks)).attempts[0]).toMatchObject({ status: null, error: 'ECONNREFUSED' });

    await r.listen(port);
    await waitFor('delivered', async () => (await last(webhooks)).status === 'delivered');
    expect(r.received).toHaveLength(1);
    const got = r.received[0]!;
    expect(verifyStandardWebhook(secret, got)).toBe(true);
    expect(verifyStandardWebhook(generateSecret(), got)).toBe(false);
    expect(got.headers['webhook-id']).toBe((await last(webhooks)).webhookId);
    const body = JSON.parse(got.body) as {
      type: string;
      timestamp: string;
      data: { ID: string; Subject: string };
    };
    expect(body.type).toBe('message.received');
    expect(body.data.Subject).toBe('Webhook test');
    expect(body.data.ID).toBe(await t.sandbox.store.latestId());
    expect(Date.parse(body.timestamp)).not.toBeNaN();
    // No further requests once delivered.
    await new Promise((res) => setTimeout(res, 400));
    expect(r.received).toHaveLength(1);
  });

  it('stops at once on 410, and dead-letters other failures after the last retry', async () => {
    const gone = await receiver();
    gone.status = () => 410;
    const failing = await receiver();
    failing.status = () => 503;
    const t = await sandbox();
    const { webhooks } = dispatcher(t, { webhook: [gone.url, failing.url], webhookEvents: 'message.*' });

    await sendMail(t);
    await waitFor(
      'both dead',
      async () =>
        (await webhooks.list()).length === 2 && (await webhooks.list()).every((d) => d.status === 'dead'),
    );
    const byUrl = new Map((await webhooks.list()).map((d) => [d.url, d]));
    expect(byUrl.get(gone.url)!.attempts.map((a) => a.status)).toEqual([410]);
    expect(byUrl.get(failing.url)!.attempts.map((a) => a.status)).toEqual([503, 503, 503, 503]);
    expect(gone.received).toHaveLength(1);
    expect(failing.received).toHaveLength(4);
    // One event, one webhook-id, whichever endpoint.
    expect(new Set((await webhooks.list()).map((d) => d.webhookId)).size).toBe(1);
  });

  it('replays a delivery through the route: same id and body, a fresh valid signature', async () => {
    const r = await receiver();
    r.status = () => 500;
    const t = await sandbox();
    const { webhooks, secret } = dispatcher(t, {
      webhook: [r.url],
      webhookEvents: 'message.received',
      webhookRetries: '',
    });
    const { base } = await routes(webhooks);

    await sendMail(t);
    await waitFor('dead', async () => (await last(webhooks))?.status === 'dead');
    expect(r.received).toHaveLength(1);

    r.status = () => 200;
    const res = await fetch(`${base}/api/v1/webhooks/deliveries/${(await last(webhooks)).id}/retry`, {
      method: 'POST',
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as WebhookDelivery).status).toBe('pending');
    await waitFor('delivered', async () => (await last(webhooks)).status === 'delivered');
    expect(r.received).toHaveLength(2);
    expect(r.received[1]!.headers['webhook-id']).toBe(r.received[0]!.headers['webhook-id']);
    expect(r.received[1]!.body).toBe(r.received[0]!.body);
    expect(verifyStandardWebhook(secret, r.received[1]!)).toBe(true);

    const list = (await (await fetch(`${base}/api/v1/webhooks/deliveries`)).json()) as {
      deliveries: WebhookDelivery[];
      config: { urls: string[]; events: string[] };
    };
    expect(list.config).toEqual({ urls: [r.url], events: ['message.received'] });
    expect(list.deliveries[0]!.attempts.map((a) => a.status)).toEqual([500, 200]);
    expect((await fetch(`${base}/api/v1/webhooks/deliveries/999999/retry`, { method: 'POST' })).status).toBe(
      404,
    );
    expect((await fetch(`${base}/api/v1/webhooks/deliveries/abc/retry`, { method: 'POST' })).status).toBe(
      400,
    );
  });

  it('sends open events from the tracking server and relay status by the event filter', async () => {
    const r = await receiver();
    const t = await sandbox();
    const { webhooks } = dispatcher(t, { webhook: [r.url], webhookEvents: 'open,relay.*' });

    await sendMail(t, 'Open me');
    const id = (await t.sandbox.store.latestId())!;
    const tracked = (await t.sandbox.store.raw(id))!.tracked!.toString();
    const pixel = /src="?(http:\/\/[^"\s]+\/o\?t=[^"\s]+)"/.exec(
      tracked.replace(/=\r\n/g, '').replace(/=3D/g, '='),
    )![1]!;
    expect((await fetch(pixel)).status).toBe(200);

    const entry: RelayEntry = {
      id: 1,
      messageId: id,
      inbox: 'default',
      subject: 'Open me',
      recipients: ['dev@example.test'],
      status: 'sending',
      reason: 'rule',
      attempts: [],
      nextAttemptAt: null,
      createdAt: new Date().toISOString(),
    };
    t.sandbox.bus.emit('relay.status', entry); // 'sending' is not sent
    t.sandbox.bus.emit('relay.status', { ...entry, status: 'sent' });

    await waitFor(
      'two deliveries',
      async () => (await webhooks.list()).filter((d) => d.status === 'delivered').length === 2,
      10_000,
      async () => ({ deliveries: await webhooks.list(), received: r.received.length, logs: t.logs }),
    );
    const types = r.received.map((x) => (JSON.parse(x.body) as { type: string }).type).sort();
    expect(types).toEqual(['open', 'relay.sent']);
    const open = r.received.find((x) => x.body.includes('"type":"open"'))!;
    expect((JSON.parse(open.body) as { data: { message_id: string } }).data.message_id).toBe(id);
  });

  it('generates the signing secret into the data dir (owner-only) and reuses it; rejects unknown event names', () => {
    const temp = tempDir('mb-webhook-secret-');
    cleanups.push(() => temp.remove());
    const first = loadOrCreateWebhookSecret(temp.dir);
    expect(first).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(statSync(join(temp.dir, SECRET_FILE)).mode & 0o777).toBe(0o600);
    expect(loadOrCreateWebhookSecret(temp.dir)).toBe(first);
    expect(loadOrCreateWebhookSecret(':memory:')).not.toBe(first);

    const settings = loadSettings(
      { dataDir: temp.dir, webhook: ['http://127.0.0.1:9/x'], webhookEvents: 'opens' },
      {},
    );
    expect(() => createWebhooks(settings, {} as never)).toThrow(
      /\[webhooks\] --webhook-events: "opens" matches no event/,
    );
  });
});

describe('webhook delivery retention', () => {
  it('keeps the newest deliveries and every waiting one', async () => {
    const t = await sandbox();
    const deliveries = new SqliteWebhookDeliveries(t.sandbox.db);
    const ids = await deliveries.enqueue(
      Array.from({ length: 5 }, (_, i) => ({
        webhookId: `msg_${i}`,
        url: 'http://127.0.0.1:9/',
        eventType: 'open',
        body: '{}',
        nowMs: i,
      })),
    );
    for (const i of [0, 1, 4])
      await deliveries.finish(ids[i]!, { at: '', status: 200, error: '' }, 'delivered', null);
    await deliveries.finish(ids[3]!, { at: '', status: 410, error: '' }, 'dead', null);
    expect(await deliveries.prune(1)).toBe(3);
    expect((await deliveries.list()).map((d) => d.id)).toEqual([ids[4], ids[2]]);
  });
});
