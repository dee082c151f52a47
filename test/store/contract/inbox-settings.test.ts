// The contract of an inbox's settings and retention, run against every engine (engines.ts): settings stored on the
// inbox (kept by a rename, dropped with the inbox, there after reopening), an inbox's own bound applied as its mail
// is written, and pruning by age within a scope.
import { describe, expect, it } from 'vitest';
import { inboxesExcept, oneInbox } from '../../../src-main/model/inbox.js';
import { NO_OVERRIDES, type InboxSettings } from '../../../src-main/model/inbox-settings.js';
import { ENGINES } from './engines.js';
import { storesOf } from './stores.js';
import { newMail } from './mails.js';

const HOUR = 3_600_000;

const SOME: InboxSettings = {
  maxMessages: 3,
  maxAgeMs: 12 * HOUR,
  tracking: false,
  relay: { mode: 'matching', matching: '@shop\\.test$', to: 'qa@example.org' },
  webhook: { url: 'https://hooks.example.org/x', secret: 'whsec_c2VjcmV0' },
  tagRules: [{ tag: 'orders', query: 'subject:order' }],
};

for (const engine of ENGINES) {
  describe(`inbox settings contract: ${engine.name}`, () => {
    const { open, openAt, place } = storesOf(engine);

    it('stores the settings on the inbox, keeps them through a rename and drops them with the inbox', async () => {
      const where = place();
      const store = openAt(where);
      await store.inboxes.create('shop', 1);
      await store.inboxes.create('other', 1);
      expect(await store.inboxes.settings('shop')).toEqual(NO_OVERRIDES);
      expect(await store.inboxes.settings('nowhere')).toBeUndefined();
      expect(await store.inboxes.saveSettings('nowhere', SOME)).toBe(false);
      expect(await store.inboxes.saveSettings('shop', SOME)).toBe(true);
      expect(await store.inboxes.settings('shop')).toEqual(SOME);
      expect(await store.inboxes.rename('shop', 'store')).toBe('renamed');
      expect(await store.inboxes.settings('shop')).toBeUndefined();
      expect(await store.inboxes.settings('store')).toEqual(SOME);
      const all = await store.inboxes.allSettings();
      expect(all.get('store')).toEqual(SOME);
      expect(all.get('other')).toEqual(NO_OVERRIDES);
      // Opened again, the settings are there.
      const again = openAt(where);
      expect(await again.inboxes.settings('store')).toEqual(SOME);
      expect(await again.inboxes.delete('store')).toEqual([]);
      expect(await again.inboxes.settings('store')).toBeUndefined();
      await again.inboxes.create('store', 2);
      expect(await again.inboxes.settings('store')).toEqual(NO_OVERRIDES);
    });

    it("keeps an inbox's newest mails within its own bound as they are written, and reports the pruned", async () => {
      const store = open();
      const shop = [1, 2, 3, 4, 5].map((n) => newMail(n, { inbox: 'shop' }));
      const other = [6, 7].map((n) => newMail(n, { inbox: 'other' }));
      for (const mail of shop.slice(0, 2)) await store.messages.write(mail);
      for (const mail of other) await store.messages.write(mail);
      // Written together, in one commit.
      await Promise.all(shop.slice(2).map((mail) => store.messages.write({ ...mail, inboxMaxMessages: 2 })));
      expect((await store.messages.countIn(oneInbox('shop'))).total).toBe(2);
      expect(await store.messages.get(shop[4]!.id)).toBeDefined();
      expect(await store.messages.get(shop[3]!.id)).toBeDefined();
      expect((await store.messages.countIn(oneInbox('other'))).total).toBe(2);
      expect((await store.messages.count()).total).toBe(4);
      expect((await store.messages.takeInboxPruned()).sort()).toEqual(
        shop
          .slice(0, 3)
          .map((m) => m.id)
          .sort(),
      );
      expect(await store.messages.takeInboxPruned()).toEqual([]);
    });

    it('prunes by age within one inbox, or every inbox but some', async () => {
      const store = open();
      const now = Date.now();
      const mail = (n: number, inbox: string, ageHours: number) =>
        newMail(n, { inbox, createdMs: now - ageHours * HOUR });
      const oldShop = mail(1, 'shop', 5);
      const newShop = mail(2, 'shop', 0);
      const oldOther = mail(3, 'other', 5);
      const oldKept = mail(4, 'kept', 5);
      for (const m of [oldShop, oldOther, oldKept, newShop]) await store.messages.write(m);
      expect(await store.messages.pruneOlderThanIn(now - HOUR, 100, oneInbox('shop'))).toEqual([oldShop.id]);
      expect(await store.messages.pruneOlderThanIn(now - HOUR, 100, inboxesExcept(['kept']))).toEqual([
        oldOther.id,
      ]);
      expect((await store.messages.count()).total).toBe(2);
      expect(await store.messages.get(oldKept.id)).toBeDefined();
      expect(await store.messages.get(newShop.id)).toBeDefined();
    });
  });
}
