import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventSource } from 'eventsource';
import type {
  EventsResponse,
  Message,
  MessageTracking,
  MessageUpdate,
  EventUpdate,
} from '../../src-main/wire/types.js';
import { getJson, queuedId, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

/** Subscribes to the sandbox's hub with a token from the API and collects parsed updates. */
async function subscribe(t: TestSandbox, topics: string[]) {
  const { token } = await getJson<{ token: string }>(`${t.http}/api/v1/hub/token?subscribe=*`);
  const url = new URL(`${t.http}/.well-known/mercure`);
  for (const topic of topics) url.searchParams.append('topic', topic);
  const updates: unknown[] = [];
  const es = new EventSource(url, {
    fetch: (input, init) =>
      fetch(input, { ...init, headers: { ...init?.headers, Authorization: `Bearer ${token}` } }),
  });
  const waiters: { test: (u: unknown) => boolean; resolve: (u: unknown) => void }[] = [];
  es.onmessage = (e) => {
    const u: unknown = JSON.parse(e.data as string);
    updates.push(u);
    for (const w of [...waiters])
      if (w.test(u)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(u);
      }
  };
  await new Promise<void>((resolve, reject) => {
    es.onopen = () => resolve();
    es.onerror = (e) => reject(new Error(`hub subscription failed: ${String(e.message)}`));
  });
  return {
    updates,
    close: () => es.close(),
    next<T>(test: (u: T) => boolean, timeoutMs = 10_000): Promise<T> {
      const seen = updates.find((u) => test(u as T));
      if (seen) return Promise.resolve(seen as T);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no matching hub update')), timeoutMs);
        waiters.push({
          test: (u) => test(u as T),
          resolve: (u) => {
            clearTimeout(timer);
            resolve(u as T);
          },
        });
      });
    },
  };
}

describe.each([
  // Both placements, whatever the default on this machine's cores is.
  ['the tracking listener on its own thread', { trackingThread: 'yes' }],
  ['the tracking listener on the main thread', { trackingThread: 'no' }],
])('capture → tracking → events → hub, end to end, with %s', (_name, flags) => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startSandbox(flags);
  });
  afterAll(() => t.stop());

  it('tracks a mail sent over SMTP and reports opens and clicks live', async () => {
    const hub = await subscribe(t, ['urn:mailbeacon:messages', 'urn:mailbeacon:events']);
    const transport = smtpTransport(t);
    const info = await transport.sendMail({
      from: 'shop@acme.test',
      to: 'ann@example.org',
      subject: 'Tracked',
      html: '<html><body><p><a href="https://acme.test/start">Start</a> <a href="mailto:help@acme.test">help</a></p></body></html>',
    });
    transport.close();
    const id = queuedId(info.response);

    const created = await hub.next<MessageUpdate>((u) => u.type === 'created' && u.message.ID === id);
    expect(created.type === 'created' && created.message.Subject).toBe('Tracked');

    const tracking = await getJson<MessageTracking>(`${t.http}/api/v1/message/${id}/tracking`);
    expect(tracking.enabled).toBe(true);
    expect(tracking.links).toHaveLength(1);
    expect(tracking.links[0]!.originalUrl).toBe('https://acme.test/start');
    expect(tracking.skipped.map((s) => s.url)).toContain('mailto:help@acme.test');
    expect(tracking.pixel?.url.startsWith(`${t.tracking}/o?t=`)).toBe(true);

    const msg = await getJson<Message>(`${t.http}/api/v1/message/${id}`);
    expect(msg.TrackedHTML).toContain(tracking.pixel!.url.replaceAll('&', '&amp;').split('?')[0]);
    const trackedRaw = await (await fetch(`${t.http}/api/v1/message/${id}/raw?version=tracked`)).text();
    expect(trackedRaw).toMatch(/^List-Unsubscribe: </m);
    expect(trackedRaw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
    const originalRaw = await (await fetch(`${t.http}/api/v1/message/${id}/raw`)).text();
    expect(originalRaw).not.toContain('List-Unsubscribe');

    const pixel = await fetch(tracking.pixel!.url, {
      headers: { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0' },
    });
    expect(pixel.headers.get('content-type')).toBe('image/png');
    const open = await hub.next<EventUpdate>(
      (u) => u.type === 'event' && u.event.kind === 'open' && u.event.message_id === id,
    );
    expect(open.event.ua).toContain('Firefox/140.0');
    expect(open.event.remote_ip).toMatch(/127\.0\.0\.1/);

    const click = await fetch(tracking.links[0]!.trackedUrl, { redirect: 'manual' });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe('https://acme.test/start');
    await hub.next<EventUpdate>(
      (u) => u.type === 'event' && u.event.kind === 'click' && u.event.message_id === id,
    );

    const events = await getJson<EventsResponse>(`${t.http}/api/v1/message/${id}/events`);
    expect(events.events.map((e) => e.kind).sort()).toEqual(['click', 'open']);
    const list = await getJson<{ messages: { ID: string; Tracking: { opens: number; clicks: number } }[] }>(
      `${t.http}/api/v1/messages`,
    );
    expect(list.messages.find((m) => m.ID === id)?.Tracking).toMatchObject({ opens: 1 });
    hub.close();
  });

  it('answers /api/v1/wait when a matching mail arrives', async () => {
    const waiting = getJson<{ ID: string; Subject: string }>(
      `${t.http}/api/v1/wait?query=${encodeURIComponent('subject:"waited for"')}&timeout=20`,
    );
    const transport = smtpTransport(t);
    await transport.sendMail({
      from: 'a@acme.test',
      to: 'b@example.org',
      subject: 'not this one',
      text: 'x',
    });
    const info = await transport.sendMail({
      from: 'a@acme.test',
      to: 'b@example.org',
      subject: 'waited for',
      text: 'x',
    });
    transport.close();
    const found = await waiting;
    expect(found.ID).toBe(queuedId(info.response));
  });

  it('sends the Mercure discovery Link header and a subscriber cookie with the UI', async () => {
    const res = await fetch(`${t.http}/api/v1/messages`);
    expect(res.headers.get('link')).toBe(`<${t.http}/.well-known/mercure>; rel="mercure"`);
    // The UI page (built by `npm run build`, which .ci/run runs first) carries the hub cookie and a CSP.
    const page = await fetch(`${t.http}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('set-cookie')).toMatch(
      /^mercureAuthorization=[\w-]+\.[\w-]+\.[\w-]+;.*HttpOnly/i,
    );
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});

describe('--ui-auth', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startSandbox({ dataDir: ':memory:', uiAuth: 'dev:pa55' });
  });
  afterAll(() => t.stop());

  it('protects the UI, the API and the hub, and lets the right credentials in', async () => {
    for (const path of ['/', '/api/v1/messages', '/.well-known/mercure?topic=*']) {
      const res = await fetch(`${t.http}${path}`);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
    }
    const wrong = await fetch(`${t.http}/api/v1/messages`, {
      headers: { Authorization: `Basic ${btoa('dev:nope')}` },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${t.http}/api/v1/messages`, {
      headers: { Authorization: `Basic ${btoa('dev:pa55')}` },
    });
    expect(right.status).toBe(200);
  });

  it('leaves the tracking endpoints open, as mail clients cannot log in', async () => {
    const res = await fetch(`${t.tracking}/o?t=garbage`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
  });
});
