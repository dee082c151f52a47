import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  EventsResponse,
  MessageSummary,
  TrackingEvent,
  TrackingSummary,
} from '../../src-main/wire/types.js';
import { SIMULATE_PROFILES } from '../../src-main/tracking/profiles.js';
import type { SimulateResult } from '../../src-main/tracking/simulate.js';
import { generateSecret } from '../../src-main/webhooks/index.js';
import { Receiver, verifyStandardWebhook } from '../webhooks/receiver.js';
import { getJson, queuedId, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { eventually, subscribeEvents } from './hub-subscriber.js';

const HTML = `<!doctype html><html><body>
<p>Hi, <a href="https://example.com/start">start here</a> or <a href="https://example.com/docs">read the docs</a>.</p>
</body></html>`;

async function send(t: TestSandbox, headers: Record<string, string> = {}): Promise<string> {
  const transport = smtpTransport(t);
  try {
    const info = await transport.sendMail({
      from: 'app@sender.test',
      to: 'ann@example.org',
      subject: `Simulated ${Math.random().toString(36).slice(2)}`,
      html: HTML,
      headers,
    });
    return queuedId(info.response);
  } finally {
    transport.close();
  }
}

function simulate(t: TestSandbox, id: string, body: unknown): Promise<Response> {
  return fetch(`${t.http}/api/v1/message/${encodeURIComponent(id)}/simulate`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const EXPECTED: Record<string, { kind: string; classification: string }[]> = {
  'human-open': [{ kind: 'open', classification: 'human' }],
  'human-click': [{ kind: 'click', classification: 'human' }],
  'apple-mpp': [{ kind: 'open', classification: 'proxy' }],
  'gmail-proxy': [{ kind: 'open', classification: 'proxy' }],
  'safe-links': [
    { kind: 'click', classification: 'scanner' },
    { kind: 'click', classification: 'scanner' },
  ],
  'unsubscribe-one-click': [{ kind: 'unsub', classification: 'human' }],
};

describe.each([
  ['the tracking listener on its own thread', { trackingThread: 'yes' }],
  ['the tracking listener on the main thread', { trackingThread: 'no' }],
])('simulated recipients, with %s', (_name, flags) => {
  let t: TestSandbox;
  const receiver = new Receiver();
  const secret = generateSecret();
  let hub: Awaited<ReturnType<typeof subscribeEvents>>;

  beforeAll(async () => {
    await receiver.listen();
    t = await startSandbox({
      ...flags,
      webhook: [receiver.url],
      webhookSecret: secret,
      webhookEvents: 'open,click,unsub',
    });
    hub = await subscribeEvents(t.http);
  });
  afterAll(async () => {
    hub.close();
    await t.stop();
    await receiver.close();
  });

  it.each(Object.entries(EXPECTED))(
    '%s goes through the tracking server as its class, to the store, the hub and a signed webhook',
    async (profile, expected) => {
      const id = await send(t);
      const res = await simulate(t, id, { profile });
      expect(res.status).toBe(200);
      const result = (await res.json()) as SimulateResult;
      expect(result.profile).toBe(profile);
      expect(result.steps.map((s) => ({ kind: s.kind, classification: s.classification }))).toEqual(expected);
      for (const s of result.steps) expect(Number.isNaN(Date.parse(s.at))).toBe(false);

      // The route answers once the hits are stored.
      const stored = await getJson<EventsResponse>(`${t.http}/api/v1/message/${id}/events?limit=100`);
      const mine = [...stored.events].reverse();
      expect(mine.map((e) => ({ kind: e.kind, classification: e.classification }))).toEqual(expected);
      for (const e of mine) expect(e.source).toBe('simulated');
      if (profile === 'apple-mpp') expect(mine[0]!.remote_ip).toBe('17.58.63.10');
      if (profile === 'gmail-proxy') expect(mine[0]!.ua).toContain('GoogleImageProxy');

      const published = await eventually('the hub updates', () => {
        const got = hub.events.filter((e) => e.message_id === id);
        return got.length === expected.length ? got : undefined;
      });
      expect(published.map((e) => [e.classification, e.source])).toEqual(
        expected.map((x) => [x.classification, 'simulated']),
      );

      const hooks = await eventually('the webhooks', () => {
        const got = receiver.received.filter((r) => r.body.includes(id));
        return got.length === expected.length ? got : undefined;
      });
      for (const hook of hooks) {
        expect(verifyStandardWebhook(secret, hook)).toBe(true);
        const { type, data } = JSON.parse(hook.body) as { type: string; data: TrackingEvent };
        expect(type).toBe(data.kind);
        expect(data.source).toBe('simulated');
        expect(expected.map((x) => x.classification)).toContain(data.classification);
      }

      // A mail's own counts hold simulated people (machines beside them); real recipients' alone hold none.
      const { messages } = await getJson<{ messages: MessageSummary[] }>(`${t.http}/api/v1/messages`);
      const counts = messages.find((m) => m.ID === id)!.Tracking;
      const human = (kind: string) =>
        expected.filter((x) => x.kind === kind && x.classification === 'human').length;
      expect([counts.opens, counts.clicks, counts.unsubscribed]).toEqual([
        human('open'),
        human('click'),
        human('unsub') > 0,
      ]);
      expect(counts.machine.opens + counts.machine.clicks).toBe(
        expected.filter((x) => x.classification !== 'human').length,
      );
      const real = counts.recipients;
      expect([real.opens, real.clicks, real.unsubscribed, real.machine.opens + real.machine.clicks]).toEqual([
        0,
        0,
        false,
        0,
      ]);
    },
  );

  it('inbox-journey with compression plans its steps, answers 202 and makes them in order', async () => {
    const id = await send(t);
    const res = await simulate(t, id, { profile: 'inbox-journey', compress: 3000 });
    expect(res.status).toBe(202);
    const { steps } = (await res.json()) as SimulateResult;
    expect(steps.slice(0, 3).map((s) => [s.kind, s.classification])).toEqual([
      ['open', 'proxy'],
      ['open', 'human'],
      ['click', 'human'],
    ]);
    expect(steps.length === 3 || steps[3]!.kind === 'unsub').toBe(true);
    const times = steps.map((s) => Date.parse(s.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const events = await eventually('the journey', async () => {
      const got = await getJson<EventsResponse>(`${t.http}/api/v1/message/${id}/events?source=simulated`);
      return got.total === steps.length ? got.events.reverse() : undefined;
    });
    expect(events.map((e) => [e.kind, e.classification])).toEqual(
      steps.map((s) => [s.kind, s.classification]),
    );
    expect(events[0]!.remote_ip).toBe('17.58.63.10');
    expect(events[1]!.ua).toContain('iPhone');
  });

  it('answers 400 listing the profiles, 404 for an unknown mail, 409 for a mail without tracking', async () => {
    const id = await send(t);
    const bad = await simulate(t, id, { profile: 'carrier-pigeon' });
    expect(bad.status).toBe(400);
    const { Error: error } = (await bad.json()) as { Error: string };
    for (const p of SIMULATE_PROFILES) expect(error).toContain(p);

    expect((await simulate(t, id, { profile: 'human-click', link: 9 })).status).toBe(400);
    expect((await simulate(t, id, { profile: 'human-open', client: 'lynx' })).status).toBe(400);
    expect((await simulate(t, 'no-such-mail', { profile: 'human-open' })).status).toBe(404);

    const untracked = await send(t, { 'X-Mailbeacon-Track': 'off' });
    const off = await simulate(t, untracked, { profile: 'human-open' });
    expect(off.status).toBe(409);
    expect(((await off.json()) as { Error: string }).Error).toMatch(/without tracking/);
  });

  it('counts simulated people in the default rates, labelled, and leaves them out with simulated=no', async () => {
    const summary = await getJson<TrackingSummary>(`${t.http}/api/v1/tracking/summary`);
    expect(summary.opened).toBeGreaterThan(0);
    expect(summary.bySource.simulated.opened).toBe(summary.opened);
    expect(summary.bySource.recipient.opened).toBe(0);
    expect(summary.machine).toBeGreaterThan(0);
    expect(summary.perMail.length).toBeGreaterThan(0);
    for (const m of summary.perMail) expect(m.subject).toMatch(/^Simulated /);
    const real = await getJson<TrackingSummary>(`${t.http}/api/v1/tracking/summary?simulated=no`);
    expect([real.opened, real.clicked, real.unsubscribed, real.machine]).toEqual([0, 0, 0, 0]);
    expect(real.excluded).toBeGreaterThan(0);
  });
});

describe('--simulate on every caught mail', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startSandbox({ simulate: 'apple-mpp,human-open' });
  });
  afterAll(() => t.stop());

  it('runs the profiles on a new mail', async () => {
    const id = await send(t);
    const events = await eventually('the simulated hits', async () => {
      const got = await getJson<EventsResponse>(`${t.http}/api/v1/message/${id}/events`);
      return got.total === 2 ? got.events.reverse() : undefined;
    });
    expect(events.map((e) => [e.classification, e.source])).toEqual([
      ['proxy', 'simulated'],
      ['human', 'simulated'],
    ]);
  });
});
