// An inbox's Tracking and TagRules settings applied at ingest, through the real SMTP and HTTP listeners: with the
// mail prepared on the main thread and on a prepare worker, for an inbox named by the SMTP login (known before the
// mail is read) and one chosen by an --inbox rule (known only after).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queuedId, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

const HTML = '<html><body><p>Hello</p><a href="https://example.org/offer">the offer</a></body></html>';

async function send(t: TestSandbox, subject: string, options: { user?: string; to?: string } = {}) {
  const transport = smtpTransport(t, options.user ? { auth: { user: options.user, pass: 'x' } } : {});
  try {
    const info = await transport.sendMail({
      from: 'app@example.org',
      to: options.to ?? 'ann@example.org',
      subject,
      html: HTML,
    });
    return queuedId(info.response);
  } finally {
    transport.close();
  }
}

async function put(t: TestSandbox, inbox: string, body: unknown): Promise<void> {
  const res = await fetch(`${t.http}/api/v1/inboxes/${inbox}/settings`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.text()).toBe(200);
}

/** What the stored mail carries of tracking: its manifest and the tracked source's pixel and links. */
async function trackingOf(t: TestSandbox, id: string) {
  const manifest = (await (await fetch(`${t.http}/api/v1/message/${id}/tracking`)).json()) as {
    enabled: boolean;
    disabledReason: string;
    pixel: unknown;
    links: unknown[];
  };
  const tracked = await (await fetch(`${t.http}/api/v1/message/${id}/raw?version=tracked`)).text();
  return {
    enabled: manifest.enabled,
    reason: manifest.disabledReason,
    pixel: manifest.pixel !== null,
    links: manifest.links.length,
    rewritten: tracked.includes('/c?t=') || tracked.includes('/o?t='),
  };
}

const TRACKED = { enabled: true, pixel: true, links: 1, rewritten: true };
const UNTRACKED = { enabled: false, pixel: false, links: 0, rewritten: false };

describe.each([0, 1])('tracking per inbox (--ingest-threads %i)', (threads) => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startSandbox({ ingestThreads: String(threads), inbox: ['routed=to:@routed.test'] });
    await send(t, 'creates quiet', { user: 'quiet' });
    await send(t, 'creates routed', { to: 'x@routed.test' });
    await put(t, 'quiet', { Tracking: false });
    await put(t, 'routed', { Tracking: false });
  });
  afterAll(() => t.stop());

  it('stores the mail of an inbox with Tracking false as received, while the default inbox is tracked', async () => {
    const quiet = await trackingOf(t, await send(t, 'not tracked', { user: 'quiet' }));
    expect(quiet).toMatchObject(UNTRACKED);
    expect(quiet.reason).toMatch(/inbox's settings/);
    expect(await trackingOf(t, await send(t, 'tracked'))).toMatchObject(TRACKED);
  });

  it('applies it to mail an --inbox rule routes there too', async () => {
    expect(await trackingOf(t, await send(t, 'routed', { to: 'x@routed.test' }))).toMatchObject(UNTRACKED);
  });

  it('takes a change from the next mail on', async () => {
    await put(t, 'quiet', { Tracking: null });
    expect(await trackingOf(t, await send(t, 'tracked again', { user: 'quiet' }))).toMatchObject(TRACKED);
    await put(t, 'quiet', { Tracking: false });
    expect(await trackingOf(t, await send(t, 'off again', { user: 'quiet' }))).toMatchObject(UNTRACKED);
  });
});

describe('an inbox with Tracking true under --no-track', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startSandbox({ noTrack: true, inbox: ['routed=to:@routed.test'] });
    await send(t, 'creates loud', { user: 'loud' });
    await send(t, 'creates routed', { to: 'x@routed.test' });
    await put(t, 'loud', { Tracking: true });
    await put(t, 'routed', { Tracking: true });
  });
  afterAll(() => t.stop());

  it('tracks that inbox only, whether its login or a rule names it', async () => {
    expect(await trackingOf(t, await send(t, 'tracked', { user: 'loud' }))).toMatchObject(TRACKED);
    expect(await trackingOf(t, await send(t, 'routed', { to: 'x@routed.test' }))).toMatchObject(TRACKED);
    expect(await trackingOf(t, await send(t, 'flag says no'))).toMatchObject(UNTRACKED);
  });
});

describe('tag rules per inbox', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startSandbox({ tag: ['billing=subject:invoice'] });
    await send(t, 'creates shop', { user: 'shop' });
    await put(t, 'shop', {
      TagRules: [
        { Tag: 'orders', Query: 'subject:order' },
        // A rule of the inbox sees the tags the flags' rules gave.
        { Tag: 'paid', Query: 'tag:billing' },
      ],
    });
  });
  afterAll(() => t.stop());

  const tagsOf = async (id: string) =>
    ((await (await fetch(`${t.http}/api/v1/message/${id}`)).json()) as { Tags: string[] }).Tags;

  it("tags that inbox's mail after the --tag rules, and no other inbox's", async () => {
    expect(await tagsOf(await send(t, 'order 1 invoice', { user: 'shop' }))).toEqual([
      'billing',
      'orders',
      'paid',
    ]);
    expect(await tagsOf(await send(t, 'order 2', { user: 'shop' }))).toEqual(['orders']);
    expect(await tagsOf(await send(t, 'order 3 invoice', { user: 'other' }))).toEqual(['billing']);
    expect(await tagsOf(await send(t, 'order 4 invoice'))).toEqual(['billing']);
  });

  it('takes a change of the rules from the next mail on', async () => {
    await put(t, 'shop', { TagRules: [{ Tag: 'vip', Query: 'subject:order' }] });
    expect(await tagsOf(await send(t, 'order 5', { user: 'shop' }))).toEqual(['vip']);
    await put(t, 'shop', { TagRules: null });
    expect(await tagsOf(await send(t, 'order 6', { user: 'shop' }))).toEqual([]);
  });
});
