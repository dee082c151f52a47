import { afterEach, describe, expect, it } from 'vitest';
import type { EventsResponse } from '../../src-main/wire/types.js';
import { getJson, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

/** A pixel URL minted by the sandbox's API, fetched with the given headers; the stored event. */
async function open(t: TestSandbox, headers: Record<string, string>, extraQuery = '') {
  const { url } = await getJson<{ url: string }>(`${t.http}/api/v1/tracking/mint`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'open', metadata: { message_id: 'm-proxy' } }),
  });
  const res = await fetch(url + extraQuery, { headers: { 'User-Agent': CHROME, ...headers } });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  const { events } = await getJson<EventsResponse>(`${t.http}/api/v1/events?limit=1`);
  return events[0]!;
}

let t: TestSandbox | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe.each([
  ['its own thread', 'yes'],
  ['the main thread', 'no'],
])('--trusted-proxies, with the tracking listener on %s', (_name, trackingThread) => {
  it('ignores Forwarded and X-Forwarded-For by default: the peer is the client', async () => {
    t = await startSandbox({ trackingThread });
    const event = await open(t, { 'X-Forwarded-For': '17.58.63.10', Forwarded: 'for=17.58.63.10' });
    expect(event.remote_ip).toBe('127.0.0.1');
    expect(event.classification).toBe('human');
  });

  it('believes a trusted proxy, so the real client address is classified', async () => {
    t = await startSandbox({ trackingThread, trustedProxies: '127.0.0.1/32,10.0.0.0/8' });
    // A client's own (forged) entry comes first; the proxy appends what it saw.
    const viaXff = await open(t, { 'X-Forwarded-For': '203.0.113.5, 17.58.63.10' });
    expect(viaXff.remote_ip).toBe('17.58.63.10');
    expect(viaXff.classification).toBe('proxy');
    const viaForwarded = await open(t, { Forwarded: 'for="[2001:db8::7]:4711";proto=https, for=10.1.2.3' });
    expect(viaForwarded.remote_ip).toBe('2001:db8::7');
    expect(viaForwarded.classification).toBe('human');
  });
});

describe('the sandbox mark', () => {
  it('cannot be forged: a wrong mark leaves the hit a recipient’s, and imitation headers unread', async () => {
    t = await startSandbox({ trackingThread: 'no' });
    const event = await open(t, { 'X-Mailbeacon-Imitate-Ip': '17.58.63.10' }, '&mb=AAAAAAAAAAAAAAAAAAAAAA');
    expect(event.source).toBe('recipient');
    expect(event.remote_ip).toBe('127.0.0.1');
    expect(event.classification).toBe('human');
  });
});

describe('configuration', () => {
  it('refuses a --trusted-proxies entry that is not an address or range', async () => {
    await expect(startSandbox({ trustedProxies: '10.0.0.0/33' })).rejects.toThrow(/trustedProxies|trusted/i);
  });
});
