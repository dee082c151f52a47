// Every kind of update the app publishes, caught by a real hub subscriber of a running Sandbox (mail in over SMTP,
// changes through the API, a relay to a real upstream, a simulated click) and parsed with its wire schema.
import { EventSource } from 'eventsource';
import { afterEach, describe, expect, it } from 'vitest';
import { eventUpdate, hubUpdate, messageUpdate, type HubUpdate } from '../../src-main/wire/schemas.js';
import { TOPIC_EVENTS, TOPIC_MESSAGES } from '../../src-main/wire/types.js';
import { getJson, queuedId, smtpTransport, startSandbox } from '../helpers/sandbox.js';
import { Upstream, waitFor } from '../relay/harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A subscriber to the app's collection topics, keeping every update's data as the hub sent it. */
async function subscribe(http: string): Promise<unknown[]> {
  const { token } = await getJson<{ token: string }>(`${http}/api/v1/hub/token?subscribe=*`);
  const url = new URL(`${http}/.well-known/mercure`);
  for (const topic of [TOPIC_MESSAGES, TOPIC_EVENTS]) url.searchParams.append('topic', topic);
  const received: unknown[] = [];
  const es = new EventSource(url, {
    fetch: (input, init) =>
      fetch(input, { ...init, headers: { ...init?.headers, Authorization: `Bearer ${token}` } }),
  });
  cleanups.push(() => es.close());
  es.onmessage = (e) => received.push(JSON.parse(e.data as string));
  await new Promise<void>((resolve, reject) => {
    es.onopen = () => resolve();
    es.onerror = (e) => reject(new Error(`hub subscription failed: ${String(e.message)}`));
  });
  return received;
}

/** A JSON request to the API that must succeed (Mailpit's changes answer "ok" as text). */
async function call(url: string, method: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, `${method} ${url}: ${await res.text()}`).toBe(200);
}

describe("the hub's updates on the wire", () => {
  it('match their schemas for every kind the app publishes', async () => {
    const up = new Upstream();
    await up.listen();
    cleanups.push(() => up.close());
    const t = await startSandbox({ relay: up.url, relayAll: true });
    cleanups.push(() => t.stop());
    const received = await subscribe(t.http);

    const transport = smtpTransport(t);
    const info = await transport.sendMail({
      from: 'app@sender.test',
      to: 'dev@example.test',
      subject: 'On the wire',
      html: '<html><body><a href="https://example.com/a">a</a></body></html>',
    });
    transport.close();
    const id = queuedId(info.response);
    await waitFor('the relayed mail', () => up.arrivals.length === 1);
    await call(`${t.http}/api/v1/messages`, 'PUT', { IDs: [id], Read: true });
    await call(`${t.http}/api/v1/tags`, 'PUT', { IDs: [id], Tags: ['wire'] });
    await call(`${t.http}/api/v1/message/${id}/simulate`, 'POST', { profile: 'human-click' });
    await call(`${t.http}/api/v1/messages`, 'DELETE', { IDs: [id] });

    const kinds = ['created', 'relay', 'read', 'tags', 'event', 'deleted'];
    const seen = () => new Set(received.map((u) => (u as { type: string }).type));
    await waitFor('one update of each kind', () => kinds.every((k) => seen().has(k)));

    for (const update of received) {
      // Parsing throws on a missing or mistyped field and strips one the schema does not describe.
      const parsed: HubUpdate = hubUpdate.parse(update);
      expect(parsed).toEqual(update);
      const own = parsed.type === 'event' ? eventUpdate : messageUpdate;
      expect(own.parse(update)).toEqual(update);
    }
    const byKind = (type: string) => received.find((u) => (u as { type: string }).type === type) as HubUpdate;
    expect(byKind('created')).toMatchObject({ message: { ID: id, Subject: 'On the wire' } });
    expect(byKind('read')).toEqual({ type: 'read', ids: [id], read: true });
    expect(byKind('deleted')).toEqual({ type: 'deleted', ids: [id] });
    expect(byKind('relay')).toMatchObject({ entry: { messageId: id } });
    expect(byKind('event')).toMatchObject({ event: { message_id: id } });
  });
});
