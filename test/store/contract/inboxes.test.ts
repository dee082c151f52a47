// The contract of InboxStore and of the inbox scope every scoped read and write takes, run against every engine
// (engines.ts): an engine that ignores a scope shows one inbox's mail, counts or tags to another.
import { describe, expect, it } from 'vitest';
import { ALL_INBOXES, inboxesExcept, oneInbox } from '../../../src-main/model/inbox.js';
import { NO_OVERRIDES, type InboxSettings } from '../../../src-main/model/inbox-settings.js';
import { ENGINES } from './engines.js';
import { inSharedCommit, newMail, openOf } from './mails.js';
import { storesOf } from './stores.js';

for (const engine of ENGINES) {
  describe(`InboxStore and inbox scopes contract: ${engine.name}`, () => {
    const { open } = storesOf(engine);

    it('creates, lists, renames, empties and deletes inboxes, with their mails, events and outbox entries', async () => {
      const { messages, inboxes, events, commits, relayOutbox } = open();
      expect(await inboxes.create('shop', Date.now())).toBe(true);
      expect(await inboxes.create('shop', Date.now())).toBe(false);
      expect(await inboxes.exists('shop')).toBe(true);
      expect(await inboxes.exists('blog')).toBe(false);

      const shop = newMail(1, { inbox: 'shop' });
      const blog = [newMail(2, { inbox: 'blog' }), newMail(3, { inbox: 'blog' })];
      for (const mail of [shop, ...blog]) await messages.write(mail);
      await inSharedCommit(commits, () => events.recordMany([openOf(blog[0]!.id)]));
      await relayOutbox.enqueue({
        messageId: blog[0]!.id,
        inbox: 'blog',
        subject: '',
        envelopeFrom: '',
        recipients: ['a@example.org'],
        reason: 'rule',
        nowMs: Date.now(),
      });
      // Writing a mail creates its inbox.
      const listed = (await inboxes.list()).map((i) => [i.name, i.total, i.unread]);
      expect(listed).toEqual(
        expect.arrayContaining([
          ['shop', 1, 1],
          ['blog', 2, 2],
        ]),
      );
      expect((await relayOutbox.list()).map((e) => e.inbox)).toEqual(['blog']);
      expect((await events.list({ scope: oneInbox('blog') })).total).toBe(1);

      expect(await inboxes.rename('blog', 'news')).toBe('renamed');
      expect(await inboxes.rename('nowhere', 'else')).toBe('missing');
      expect(await inboxes.exists('blog')).toBe(false);
      expect(await messages.inboxOf(blog[0]!.id)).toBe('news');
      expect(await messages.countIn(oneInbox('news'))).toEqual({ total: 2, unread: 2 });
      expect((await events.list({ scope: oneInbox('news') })).total).toBe(1);
      expect((await relayOutbox.list()).map((e) => e.inbox)).toEqual(['news']);

      expect((await inboxes.empty('news')).sort()).toEqual(blog.map((m) => m.id).sort());
      expect(await inboxes.exists('news')).toBe(true);
      expect(await messages.countIn(oneInbox('news'))).toEqual({ total: 0, unread: 0 });
      expect((await events.list({ scope: oneInbox('news') })).total).toBe(0);
      expect(await relayOutbox.list()).toEqual([]);

      expect(await inboxes.delete('shop')).toEqual([shop.id]);
      expect(await inboxes.delete('shop')).toBeUndefined();
      expect(await inboxes.exists('shop')).toBe(false);
      expect(await messages.get(shop.id)).toBeUndefined();
    });

    it('keeps an inbox’s settings, carries them through a rename and drops them with the inbox', async () => {
      const { inboxes } = open();
      await inboxes.create('shop', Date.now());
      expect(await inboxes.settings('shop')).toEqual(NO_OVERRIDES);
      expect(await inboxes.settings('nowhere')).toBeUndefined();
      const settings: InboxSettings = {
        ...NO_OVERRIDES,
        maxMessages: 5,
        relay: { mode: 'matching', matching: '@keep\\.test$', to: null },
        webhook: { url: 'https://hooks.example/shop', secret: 'whsec_c2VjcmV0' },
        tagRules: [{ tag: 'vip', query: 'to:vip@' }],
      };
      expect(await inboxes.saveSettings('shop', settings)).toBe(true);
      expect(await inboxes.saveSettings('nowhere', settings)).toBe(false);
      expect(await inboxes.settings('shop')).toEqual(settings);
      await inboxes.rename('shop', 'store');
      expect(await inboxes.settings('store')).toEqual(settings);
      expect((await inboxes.allSettings()).get('store')).toEqual(settings);
      await inboxes.delete('store');
      await inboxes.create('store', Date.now());
      expect(await inboxes.settings('store')).toEqual(NO_OVERRIDES);
    });

    it('narrows every scoped read and write to its scope', async () => {
      const { messages } = open();
      const shop = [newMail(1, { inbox: 'shop', tags: ['promo'] }), newMail(2, { inbox: 'shop' })];
      const vault = newMail(3, { inbox: 'vault', tags: ['classified', 'promo'], subject: 'vault plans' });
      const blog = newMail(4, { inbox: 'blog', tags: ['promo'] });
      for (const mail of [...shop, vault, blog]) await messages.write(mail);
      await messages.searchReady();
      const onlyShop = oneInbox('shop');
      const notVault = inboxesExcept(['vault']);

      expect((await messages.page(0, 10, '', onlyShop)).messages.map((m) => m.id)).toEqual([
        shop[1]!.id,
        shop[0]!.id,
      ]);
      expect((await messages.page(0, 10, '', notVault)).total).toBe(3);
      expect((await messages.page(0, 10, 'plans', notVault)).messages).toEqual([]);
      expect((await messages.page(0, 10, 'plans', ALL_INBOXES)).messages.map((m) => m.id)).toEqual([
        vault.id,
      ]);
      expect(await messages.idsMatching('tag:promo', onlyShop)).toEqual([shop[0]!.id]);
      expect((await messages.idsMatching('tag:promo', notVault)).sort()).toEqual(
        [shop[0]!.id, blog.id].sort(),
      );
      expect(await messages.latestMatching('contract', onlyShop)).toBe(shop[1]!.id);
      expect(await messages.latestId(onlyShop)).toBe(shop[1]!.id);
      expect(await messages.latestId(notVault)).toBe(blog.id);
      expect(await messages.resolveId('latest', onlyShop)).toBe(shop[1]!.id);
      expect(await messages.countIn(onlyShop)).toEqual({ total: 2, unread: 2 });
      expect(await messages.countIn(notVault)).toEqual({ total: 3, unread: 3 });

      expect(await messages.tagsIn(onlyShop)).toEqual(['promo']);
      expect(await messages.tagsIn(notVault)).toEqual(['promo']);
      expect(await messages.tagsIn(ALL_INBOXES)).toEqual(['classified', 'promo']);
      expect(await messages.tagCountsIn(notVault)).toEqual({ promo: 2 });
      expect(await messages.tagCountsIn(oneInbox('vault'))).toEqual({ classified: 1, promo: 1 });

      expect(await messages.renameTagIn('promo', 'sale', onlyShop)).toEqual([shop[0]!.id]);
      expect(await messages.deleteTagIn('promo', notVault)).toEqual([blog.id]);
      expect(await messages.tagCountsIn(ALL_INBOXES)).toEqual({ classified: 1, promo: 1, sale: 1 });

      expect((await messages.setRead('all', true, onlyShop)).sort()).toEqual(shop.map((m) => m.id).sort());
      expect(await messages.countIn(ALL_INBOXES)).toEqual({ total: 4, unread: 2 });
      expect(await messages.setRead([vault.id], true, notVault)).toEqual([]);
      expect(await messages.delete([vault.id, blog.id], onlyShop)).toEqual([]);
      expect((await messages.delete('all', notVault)).sort()).toEqual(
        [...shop.map((m) => m.id), blog.id].sort(),
      );
      expect(await messages.countIn(ALL_INBOXES)).toEqual({ total: 1, unread: 1 });
      expect((await messages.get(vault.id))?.subject).toBe('vault plans');
    });
  });
}
