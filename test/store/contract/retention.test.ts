// The contract of retention, run against every engine (engines.ts): `--max-age` pruning through `pruneOlderThan`
// (driven by Retention), `--max-events` pruning, and tracking events going with their mail.
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src-main/events/bus.js';
import { createLogger } from '../../../src-main/logger.js';
import { Retention } from '../../../src-main/store/retention.js';
import { ENGINES } from './engines.js';
import { storesOf } from './stores.js';
import { inSharedCommit, newMail, openOf } from './mails.js';

const HOUR = 3_600_000;

for (const engine of ENGINES) {
  describe(`retention contract: ${engine.name}`, () => {
    const { open, later } = storesOf(engine);

    it('--max-age deletes the mails received before the cutoff, with their events, and announces them', async () => {
      const store = open();
      const now = Date.now();
      const old = [newMail(1, { createdMs: now - 3 * HOUR }), newMail(2, { createdMs: now - 2 * HOUR })];
      const recent = newMail(3, { createdMs: now });
      for (const mail of [...old, recent]) await store.messages.write(mail);
      await inSharedCommit(store.commits, () =>
        store.events.recordMany([openOf(old[0]!.id), openOf(recent.id)]),
      );

      const bus = new EventBus();
      const deleted: string[] = [];
      bus.on('message.deleted', (ids) => deleted.push(...ids));
      const retention = new Retention({
        store: store.messages,
        bus,
        clock: { now: () => now, nowNs: () => BigInt(now) * 1_000_000n },
        logger: createLogger('error'),
        maxAgeMs: HOUR,
      });
      await retention.runOnce();
      expect(deleted.sort()).toEqual(old.map((m) => m.id).sort());
      expect((await store.messages.count()).total).toBe(1);
      expect(await store.messages.get(recent.id)).toBeDefined();
      expect((await store.events.list()).events.map((e) => e.message_id)).toEqual([recent.id]);
    });

    it('--max-events keeps the newest events once enough have been recorded', async () => {
      const store = open({ maxEvents: 10 });
      const mail = newMail(1);
      await store.messages.write(mail);
      store.eventPruning.start();
      later(() => store.eventPruning.stop());
      const hits = Array.from({ length: 25 }, (_, n) => openOf(mail.id, n));
      const recorded = await inSharedCommit(store.commits, () => store.events.recordMany(hits));
      store.eventPruning.recorded(recorded.length);
      for (let turn = 0; turn < 50 && (await store.events.list()).total > 10; turn++) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      const left = await store.events.list({ limit: 100 });
      expect(left.total).toBe(10);
      expect(left.events.map((e) => e.id)).toEqual(
        recorded
          .slice(-10)
          .map((e) => e.id)
          .reverse(),
      );
    });
  });
}
