import { EventSource } from 'eventsource';
import type { EventUpdate, TrackingEvent } from '../../src-main/wire/types.js';
import { getJson } from '../helpers/sandbox.js';

/** A real subscriber to a sandbox's hub, collecting the tracking events it publishes. */
export async function subscribeEvents(http: string): Promise<{ events: TrackingEvent[]; close(): void }> {
  const { token } = await getJson<{ token: string }>(`${http}/api/v1/hub/token?subscribe=*`);
  const url = new URL(`${http}/.well-known/mercure`);
  url.searchParams.append('topic', 'urn:mailbeacon:events');
  const events: TrackingEvent[] = [];
  const es = new EventSource(url, {
    fetch: (input, init) =>
      fetch(input, { ...init, headers: { ...init?.headers, Authorization: `Bearer ${token}` } }),
  });
  es.onmessage = (e) => {
    const update = JSON.parse(e.data as string) as EventUpdate;
    if (update.type === 'event') events.push(update.event);
  };
  await new Promise<void>((resolve, reject) => {
    es.onopen = () => resolve();
    es.onerror = (e) => reject(new Error(`hub subscription failed: ${String(e.message)}`));
  });
  return { events, close: () => es.close() };
}

/** Polls until `poll` gives a value; bounded. */
export async function eventually<T>(
  what: string,
  poll: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await poll();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
