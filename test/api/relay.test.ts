import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayEntry } from '../../src-main/wire/types.js';
import { registerRelayRoutes } from '../../src-main/api/routes/relay.js';
import type { RelayConfigView } from '../../src-main/relay/index.js';
import { tempDir } from '../helpers/sandbox.js';
import { Upstream, catchMail, openPipeline, waitFor, type Pipeline } from '../relay/harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(flags: Record<string, unknown>, withRelay = true) {
  const up = new Upstream();
  await up.listen();
  cleanups.push(() => up.close());
  const temp = tempDir('mb-relay-routes-');
  cleanups.push(() => temp.remove());
  const p: Pipeline = openPipeline(temp.dir, { relay: up.url, relayRetries: '200ms', ...flags });
  cleanups.push(() => p.close());
  const app = Fastify();
  registerRelayRoutes(app, { relay: withRelay ? p.relay : null, store: p.store });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  cleanups.push(() => app.close());
  const post = (path: string, body?: unknown) =>
    fetch(base + path, {
      method: 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return { up, p, base, post };
}

describe('relay routes', () => {
  it('releases a stored mail (latest allowed) to the requested recipients through the outbox', async () => {
    const { up, p, post } = await setup({ relayBlock: '@blocked\\.test$' });
    const { id, messageId } = await catchMail(p, ['dev@example.test']);
    expect(await p.relay.list()).toHaveLength(0); // no rule: nothing is relayed on its own

    const res = await post('/api/v1/message/latest/release', {
      To: ['Someone@Inbox.test', 'x@blocked.test'],
    });
    expect(res.status).toBe(200);
    await waitFor('the released mail', () => up.arrivals.length === 1);
    expect(up.arrivals[0]!.to).toEqual(['someone@inbox.test']);
    expect([...up.countByMessageId()]).toEqual([[messageId, 1]]);
    await waitFor('status sent', async () => (await p.relay.list())[0]?.status === 'sent');
    expect((await p.relay.list())[0]).toMatchObject({ messageId: id, reason: 'release' });
  });

  it('answers 404 for an unknown mail, 400 for empty, malformed or blocked To', async () => {
    const { p, post } = await setup({ relayAllow: '@ok\\.test$' });
    const { id } = await catchMail(p, ['dev@example.test']);
    expect((await post('/api/v1/message/nope/release', { To: ['a@ok.test'] })).status).toBe(404);
    const empty = await post(`/api/v1/message/${id}/release`, { To: [] });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toMatch(/\[relay\] no recipients/);
    expect((await post(`/api/v1/message/${id}/release`, { to: 'a@ok.test' })).status).toBe(400);
    const named = await post(`/api/v1/message/${id}/release`, { To: ['Someone <a@ok.test>'] });
    expect(named.status).toBe(400);
    expect(await named.text()).toMatch(/not an email address/);
    const blocked = await post(`/api/v1/message/${id}/release`, { To: ['a@elsewhere.test'] });
    expect(blocked.status).toBe(400);
    expect(await blocked.text()).toMatch(/--relay-allow/);
    expect(await p.relay.list()).toHaveLength(0);
  });

  it('answers 400 when no relay is configured', async () => {
    const { p, base, post } = await setup({}, false);
    const { id } = await catchMail(p, ['dev@example.test']);
    const res = await post(`/api/v1/message/${id}/release`, { To: ['a@b.test'] });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/no relay is configured/);
    expect(await (await fetch(`${base}/api/v1/relay`)).json()).toEqual({
      config: { enabled: false },
      entries: [],
    });
  });

  it('shows the configuration with the password masked, the entries, and retries a dead entry', async () => {
    const { p: withPassword, base: masked } = await setup({ relay: 'smtp://user:s3cret@127.0.0.1:1' });
    expect(withPassword.relay.config.url).toBe('smtp://user:****@127.0.0.1:1');
    expect(await (await fetch(`${masked}/api/v1/relay`)).text()).not.toContain('s3cret');

    const { up, p, base, post } = await setup({ relayAll: true, relayTo: 'me@inbox.test', relayRetries: '' });
    up.answer = () => Object.assign(new Error('no such user'), { responseCode: 550 });
    await catchMail(p, ['dev@example.test']);
    await waitFor('status dead', async () => (await p.relay.list())[0]?.status === 'dead');
    const body = (await (await fetch(`${base}/api/v1/relay`)).json()) as {
      config: RelayConfigView;
      entries: RelayEntry[];
    };
    expect(body.config).toMatchObject({
      enabled: true,
      all: true,
      to: 'me@inbox.test',
      retries: [],
      original: false,
    });
    expect(body.entries).toHaveLength(1);
    expect(body.entries[0]).toMatchObject({ status: 'dead', recipients: ['me@inbox.test'] });
    expect(body.entries[0]!.attempts[0]!.reply).toMatch(/^550/);

    up.answer = () => undefined;
    const entryId = body.entries[0]!.id;
    const retried = await post(`/api/v1/relay/${entryId}/retry`);
    expect(retried.status).toBe(200);
    expect(((await retried.json()) as RelayEntry).status).toBe('pending');
    await waitFor('status sent', async () => (await p.relay.list())[0]?.status === 'sent');
    expect(up.arrivals.map((a) => a.to)).toEqual([['me@inbox.test']]);

    expect((await post(`/api/v1/relay/${entryId}/retry`)).status).toBe(409);
    expect((await post('/api/v1/relay/424242/retry')).status).toBe(404);
    expect((await post('/api/v1/relay/x/retry')).status).toBe(400);
  });
});
