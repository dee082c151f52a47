// The contract of the tracking events and the hub's history, run against every engine (engines.ts).
import { describe, expect, it } from 'vitest';
import type { HubUpdate } from '../../../src-main/model/hub-update.js';
import { ENGINES } from './engines.js';
import { storesOf } from './stores.js';
import { inSharedCommit, newMail, openOf } from './mails.js';

for (const engine of ENGINES) {
  describe(`events and hub history contract: ${engine.name}`, () => {
    const { open, openAt, place } = storesOf(engine);

    it('records hits in the shared commit and reads them back as pages, counts and stats', async () => {
      const store = open();
      const mail = newMail(1);
      await store.messages.write(mail);
      const hits = [openOf(mail.id, 1), openOf(mail.id, 1), openOf(mail.id, 2)];
      const recorded = await inSharedCommit(store.commits, () => store.events.recordMany(hits));
      expect(recorded.map((e) => e.id)).toEqual([...recorded.map((e) => e.id)].sort((a, b) => a - b));

      const page = await store.events.list({ messageId: mail.id });
      expect(page.total).toBe(3);
      expect(page.events.map((e) => e.id)).toEqual(recorded.map((e) => e.id).reverse());
      expect(page.subjects).toEqual({ [mail.id]: mail.subject });
      expect((await store.events.list({ kind: 'click' })).total).toBe(0);
      const counts = (await store.events.countsFor([mail.id])).get(mail.id)!;
      expect(counts.opens).toBe(3);
      expect(counts.uniqueOpens).toBe(2);
      expect((await store.messages.trackingCounts([mail.id])).get(mail.id)?.opens).toBe(3);
      expect((await store.events.statsFor(mail.id))[`token-${mail.id}`]).toMatchObject({
        total: 3,
        unique: 2,
      });
      expect(await store.events.hasUnsubscribe(`token-${mail.id}`)).toBe(false);
    });

    it('keeps the hub’s history bounded, readable after an id, and across a reopen', async () => {
      const where = place();
      const store = engine.open(where, { hubHistory: 3 });
      const update = (n: number): HubUpdate => ({
        id: `urn:uuid:update-${n}`,
        topics: ['messages'],
        data: `{"n":${n}}`,
        private: false,
      });
      for (let n = 0; n < 5; n++) store.hubHistory.append(update(n));
      store.hubHistory.flush();
      await store.close();

      const again = openAt(where, { hubHistory: 3 });
      expect(again.hubHistory.newestId()).toBe('urn:uuid:update-4');
      expect(again.hubHistory.has('urn:uuid:update-0')).toBe(false);
      expect(
        again.hubHistory
          .after('urn:uuid:update-2')?.(10)
          .map((u) => u.id),
      ).toEqual(['urn:uuid:update-3', 'urn:uuid:update-4']);
    });
  });
}
