// client.live() yields everything a subscriber to its topics receives, each as an item of its type (LiveUpdate):
// the hub's subscription events and another publisher's updates too, which need not be JSON.
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src-main/testing/index.js';
import type { LiveUpdate } from '../../src-main/client/index.js';

const PUBLISHER_KEY = 'live-test-publisher-key-0123456789';
let mb: RunningSandbox;

beforeAll(async () => {
  mb = await startSandbox({ flags: { hubPublisherKey: PUBLISHER_KEY } });
});
afterAll(() => mb.stop());

/** Publishes as a test suite would (docs/HUB.md): form-encoded, with a publisher JWT. */
async function publish(topic: string, data: string): Promise<number> {
  const jwt = await new SignJWT({ mercure: { publish: ['urn:my-tests:{step}'] } })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(PUBLISHER_KEY));
  const res = await fetch(`${mb.http}/.well-known/mercure`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ topic, data }),
  });
  await res.body?.cancel();
  return res.status;
}

describe('client.live()', () => {
  it("yields subscription events and other publishers' updates as typed items", async () => {
    const abort = new AbortController();
    const seen: LiveUpdate[] = [];
    const has = (type: LiveUpdate['type']) => seen.some((u) => u.type === type);
    const reading = (async () => {
      for await (const update of mb.client.live({ signal: abort.signal })) {
        seen.push(update);
        if (has('Subscription') && has('other')) return;
      }
    })();
    // A second subscriber's arrival is a subscription event for the first; the published step is not JSON.
    const second = new AbortController();
    const secondReading = (async () => {
      for await (const _ of mb.client.live({ topics: ['urn:my-tests:{step}'], signal: second.signal }));
    })();
    for (let i = 0; i < 50 && !has('other'); i++) {
      expect(await publish('urn:my-tests:one', 'step one done')).toBe(200);
      await new Promise((r) => setTimeout(r, 100));
    }
    await reading;
    abort.abort();
    second.abort();
    await secondReading;

    const other = seen.find((u) => u.type === 'other');
    expect(other).toMatchObject({ type: 'other', event: 'message', data: 'step one done' });
    expect(other?.type === 'other' && other.id).toMatch(/^urn:uuid:/);
    const subscription = seen.find((u) => u.type === 'Subscription');
    expect(subscription).toMatchObject({ type: 'Subscription', active: true });
  });
});
