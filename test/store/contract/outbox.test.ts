// The contract of the two outboxes (relay, webhooks), run against every engine (engines.ts): their lifecycle, and
// claiming by two workers in two processes on one store, where no entry may be claimed twice.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENGINES, type Engine, type StoreUnderTest } from './engines.js';
import { storesOf } from './stores.js';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
const ENTRIES = 400;

/** Runs the child in `mode` twice at once on the store at `where`; resolves with every id each process claimed. */
async function claimInTwoProcesses(engine: Engine, where: string, mode: string): Promise<number[][]> {
  const worker = async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, engine.name, where], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const claimed: number[] = [];
    for await (const line of createInterface({ input: child.stdout! }))
      claimed.push(...(JSON.parse(line) as number[]));
    expect(await exited).toBe(0);
    return claimed;
  };
  return Promise.all([worker(), worker()]);
}

const entry = (n: number, nowMs: number) => ({
  messageId: `mail-${n}`,
  inbox: 'default',
  subject: `mail ${n}`,
  envelopeFrom: 'app@acme.test',
  recipients: [`user${n}@example.org`],
  reason: 'rule' as const,
  nowMs,
});

for (const engine of ENGINES) {
  describe(`outbox contract: ${engine.name}`, () => {
    const { openAt, place } = storesOf(engine);
    const open = (): { store: StoreUnderTest; where: string } => {
      const where = place();
      return { store: openAt(where), where };
    };

    it('relay outbox: pending → claimed → failed → retried → sent, with its attempts', async () => {
      const { relayOutbox } = open().store;
      const now = Date.now();
      const id = await relayOutbox.enqueue(entry(1, now));
      expect((await relayOutbox.entry(id))?.status).toBe('pending');
      expect(await relayOutbox.nextDueMs()).toBe(now);
      const [claimed] = await relayOutbox.claimDue(now, 10);
      expect(claimed?.id).toBe(id);
      expect(await relayOutbox.claimDue(now, 10)).toEqual([]);
      const failure = { ok: false, reply: '451 try later' };
      await relayOutbox.finishAll(
        [{ id, atMs: now, attempt: failure, status: 'failed', next: now + 1000 }],
        now,
      );
      expect(await relayOutbox.claimDue(now, 10)).toEqual([]);
      expect((await relayOutbox.claimDue(now + 1000, 10)).map((r) => r.id)).toEqual([id]);
      const sent = { ok: true, reply: '250 queued' };
      await relayOutbox.finishAll([{ id, atMs: now + 1000, attempt: sent, status: 'sent', next: null }], now);
      const done = (await relayOutbox.entry(id))!;
      expect(done.status).toBe('sent');
      expect(done.attempts.map((a) => a.reply)).toEqual(['451 try later', '250 queued']);
      expect(await relayOutbox.counts()).toMatchObject({ sent: 1, pending: 0, sending: 0 });
      expect(await relayOutbox.retry(id, now)).toBe(false);
    });

    it('relay outbox: a claim a stopped process left is resumed', async () => {
      const { relayOutbox } = open().store;
      const now = Date.now();
      const id = await relayOutbox.enqueue(entry(1, now), 'sending');
      expect(await relayOutbox.claimDue(now, 10)).toEqual([]);
      expect(await relayOutbox.resumeInterrupted(now)).toEqual([id]);
      expect((await relayOutbox.claimDue(now, 10)).map((r) => r.id)).toEqual([id]);
    });

    it('webhook deliveries: leased while sent, delivered, replayed', async () => {
      const { webhookDeliveries } = open().store;
      const now = Date.now();
      const [id] = await webhookDeliveries.enqueue([
        {
          webhookId: 'w1',
          url: 'http://127.0.0.1:9/hook',
          eventType: 'message.created',
          body: '{}',
          nowMs: now,
        },
      ]);
      expect((await webhookDeliveries.claimDue(now, 30_000, 10)).map((r) => r.id)).toEqual([id]);
      expect(await webhookDeliveries.claimDue(now + 1000, 30_000, 10)).toEqual([]);
      await webhookDeliveries.finish(
        id!,
        { at: new Date(now).toISOString(), status: 200, error: '' },
        'delivered',
        null,
      );
      expect((await webhookDeliveries.delivery(id!))?.status).toBe('delivered');
      expect(await webhookDeliveries.replay(id!, now)).toBe(true);
      expect((await webhookDeliveries.claimDue(now, 30_000, 10)).map((r) => r.id)).toEqual([id]);
      expect((await webhookDeliveries.list()).map((d) => d.id)).toEqual([id]);
    });

    it('relay outbox: two workers claiming at once through the interface never get one entry twice', async () => {
      const { relayOutbox } = open().store;
      const now = Date.now() - 1000;
      const ids: number[] = [];
      for (let n = 0; n < ENTRIES; n++) ids.push(await relayOutbox.enqueue(entry(n, now)));
      // Both claims are asked for before either is answered.
      const [a, b] = await Promise.all([relayOutbox.claimDue(now, 300), relayOutbox.claimDue(now, 300)]);
      expect(a!.length + b!.length).toBe(ENTRIES);
      // Then both are due again, and each worker drains them, claim by claim.
      const failed = { ok: false, reply: '451 later' };
      await relayOutbox.finishAll(
        ids.map((id) => ({ id, atMs: now, attempt: failed, status: 'failed' as const, next: now })),
        now,
      );
      const sent = { ok: true, reply: '250 ok' };
      const worker = async (claimed: number[]) => {
        for (;;) {
          const rows = await relayOutbox.claimDue(now, 7);
          if (rows.length === 0) return claimed;
          claimed.push(...rows.map((r) => r.id));
          const outcomes = rows.map((r) => ({
            id: r.id,
            atMs: now,
            attempt: sent,
            status: 'sent' as const,
            next: null,
          }));
          await relayOutbox.finishAll(outcomes, now);
        }
      };
      const again = await Promise.all([worker([]), worker([])]);
      for (const claims of [[a!.map((r) => r.id), b!.map((r) => r.id)], again]) {
        const all = claims.flat();
        expect(new Set(all).size).toBe(all.length);
        expect(all.sort((x, y) => x - y)).toEqual(ids);
      }
    });

    it('webhook deliveries: two workers claiming at once through the interface never get one twice', async () => {
      const { webhookDeliveries } = open().store;
      const now = Date.now() - 1000;
      const ids = await webhookDeliveries.enqueue(
        Array.from({ length: ENTRIES }, (_, n) => ({
          webhookId: 'w1',
          url: `http://127.0.0.1:9/hook/${n}`,
          eventType: 'message.created',
          body: `{"n":${n}}`,
          nowMs: now,
        })),
      );
      const worker = async () => {
        const claimed: number[] = [];
        for (;;) {
          const rows = await webhookDeliveries.claimDue(now, 60_000, 7);
          if (rows.length === 0) return claimed;
          claimed.push(...rows.map((r) => r.id));
          for (const row of rows)
            await webhookDeliveries.finish(
              row.id,
              { at: new Date(now).toISOString(), status: 200, error: '' },
              'delivered',
              null,
            );
        }
      };
      const all = (await Promise.all([worker(), worker()])).flat();
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort((x, y) => x - y)).toEqual(ids);
    });

    it('relay outbox: two workers in two processes never claim one entry twice', async () => {
      const { store, where } = open();
      const now = Date.now() - 1000;
      const ids: number[] = [];
      for (let n = 0; n < ENTRIES; n++) ids.push(await store.relayOutbox.enqueue(entry(n, now)));
      const [first, second] = await claimInTwoProcesses(engine, where, 'claim-relay');
      const all = [...first!, ...second!];
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort((a, b) => a - b)).toEqual(ids);
      expect(await store.relayOutbox.counts()).toMatchObject({ sent: ENTRIES, pending: 0, sending: 0 });
    });

    it('webhook deliveries: two workers in two processes never claim one delivery twice', async () => {
      const { store, where } = open();
      const now = Date.now() - 1000;
      const ids = await store.webhookDeliveries.enqueue(
        Array.from({ length: ENTRIES }, (_, n) => ({
          webhookId: 'w1',
          url: `http://127.0.0.1:9/hook/${n}`,
          eventType: 'message.created',
          body: `{"n":${n}}`,
          nowMs: now,
        })),
      );
      const [first, second] = await claimInTwoProcesses(engine, where, 'claim-webhooks');
      const all = [...first!, ...second!];
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort((a, b) => a - b)).toEqual(ids);
    });
  });
}
