// Tracking events are kept like mails: at most --max-events, the oldest pruned. A flood of pixel hits through the
// real tracking listener must leave the events table at the limit, keeping the newest hits.
import { afterEach, describe, expect, it } from 'vitest';
import type { EventsResponse } from '../../src-main/wire/types.js';
import { getJson, startSandbox, tempDir, type TestSandbox } from '../helpers/sandbox.js';

const MAX_EVENTS = 40;
/** Hits in the flood: many times the limit. */
const HITS = 400;
/** Hits in flight at once, as a mail client loading many images would send them. */
const CONCURRENCY = 8;
/** Polls for the pruning that follows the last hits (it runs on a later turn of the server's event loop). */
const SETTLE_POLLS = 100;

async function mintOpen(t: TestSandbox, n: number): Promise<string> {
  const res = await fetch(`${t.http}/api/v1/tracking/mint`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'open', metadata: { message_id: 'flood', n: String(n) } }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { url: string }).url;
}

/** Requests every URL, CONCURRENCY at a time, and expects the pixel each time. */
async function flood(urls: string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < urls.length) {
      const url = urls[next++]!;
      const res = await fetch(url, { headers: { 'user-agent': 'flood/1.0' } });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function eventsTotal(t: TestSandbox): Promise<number> {
  return (await getJson<EventsResponse>(`${t.http}/api/v1/events?limit=1`)).total;
}

/** The total once pruning has caught up with the hits (at most MAX_EVENTS + 1, the margin at this limit). */
async function settledTotal(t: TestSandbox): Promise<number> {
  let total = await eventsTotal(t);
  for (let poll = 0; poll < SETTLE_POLLS && total > MAX_EVENTS + 1; poll++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    total = await eventsTotal(t);
  }
  return total;
}

describe('--max-events', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  it('keeps the events of a pixel flood at the limit, the newest ones', async () => {
    const t = await startSandbox({ dataDir: ':memory:', maxEvents: String(MAX_EVENTS) });
    stops.push(() => t.stop());
    const urls: string[] = [];
    for (let i = 0; i < HITS; i++) urls.push(await mintOpen(t, i));

    // Halfway, the table is already bounded: pruning keeps up during the flood, not only after it.
    await flood(urls.slice(0, HITS / 2));
    expect(await settledTotal(t)).toBeLessThanOrEqual(MAX_EVENTS + 1);
    await flood(urls.slice(HITS / 2));
    const total = await settledTotal(t);
    expect(total).toBeGreaterThanOrEqual(MAX_EVENTS);
    expect(total).toBeLessThanOrEqual(MAX_EVENTS + 1);

    // What is left is the end of the flood: every kept event is among the last hits.
    const kept = await getJson<EventsResponse>(`${t.http}/api/v1/events?limit=${MAX_EVENTS + 1}`);
    const numbers = kept.events.map((e) => Number(e.metadata.n));
    expect(Math.min(...numbers)).toBeGreaterThanOrEqual(HITS - MAX_EVENTS - 1 - CONCURRENCY);
  });

  it('prunes at start a database over a limit lowered since its last run', async () => {
    const dir = tempDir('mb-events-');
    stops.push(async () => dir.remove());
    const first = await startSandbox({ dataDir: dir.dir, maxEvents: '0' });
    const urls: string[] = [];
    for (let i = 0; i < 60; i++) urls.push(await mintOpen(first, i));
    await flood(urls);
    expect(await eventsTotal(first)).toBe(60);
    await first.stop();

    const second = await startSandbox({ dataDir: dir.dir, maxEvents: '25' });
    stops.push(() => second.stop());
    let total = await eventsTotal(second);
    for (let poll = 0; poll < SETTLE_POLLS && total > 25; poll++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      total = await eventsTotal(second);
    }
    expect(total).toBe(25);
  });
});
