// The contract of searches over the mails, run against every engine (engines.ts): full text, fields and filters,
// as `page`, `matches`, `idsMatching` and `latestMatching` answer them once `searchReady` has resolved.
import { describe, expect, it } from 'vitest';
import { ENGINES } from './engines.js';
import { storesOf } from './stores.js';
import { newMail } from './mails.js';

for (const engine of ENGINES) {
  describe(`search contract: ${engine.name}`, () => {
    const { open } = storesOf(engine);

    it('finds mails by words of the body and subject, by address, by tag and by read state', async () => {
      const { messages } = open();
      const invoice = newMail(1, {
        subject: 'Your invoice',
        searchText: 'total due: forty euros',
        tags: ['billing'],
      });
      const news = newMail(2, { subject: 'Weekly news', searchText: 'three stories this week' });
      const reset = newMail(3, {
        subject: 'Password reset',
        searchText: 'click to reset',
        from: { Name: 'Security', Address: 'security@bank.test' },
      });
      for (const mail of [invoice, news, reset]) await messages.write(mail);
      await messages.setRead([news.id], true);
      await messages.searchReady();

      const ids = async (query: string) => (await messages.page(0, 50, query)).messages.map((m) => m.id);
      expect(await ids('forty')).toEqual([invoice.id]);
      expect(await ids('subject:weekly')).toEqual([news.id]);
      expect(await ids('from:security@bank.test')).toEqual([reset.id]);
      expect(await ids('tag:billing')).toEqual([invoice.id]);
      expect(await ids('is:read')).toEqual([news.id]);
      expect(await ids('is:unread')).toEqual([reset.id, invoice.id]);
      expect(await ids('"reset" -subject:weekly')).toEqual([reset.id]);
      expect(await ids('nothing-matches-this')).toEqual([]);
      expect((await messages.page(0, 50, 'is:unread')).messagesCount).toBe(2);

      expect(await messages.matches(invoice.id, 'forty')).toBe(true);
      expect(await messages.matches(news.id, 'forty')).toBe(false);
      expect((await messages.idsMatching('is:unread')).sort()).toEqual([invoice.id, reset.id].sort());
      expect(await messages.latestMatching('is:unread')).toBe(reset.id);
      expect(await messages.latestMatching('nothing-matches-this')).toBeUndefined();
    });

    it('a deleted mail is no longer found', async () => {
      const { messages } = open();
      const mail = newMail(1, { searchText: 'ephemeral words' });
      await messages.write(mail);
      await messages.searchReady();
      expect(await messages.idsMatching('ephemeral')).toEqual([mail.id]);
      await messages.delete([mail.id]);
      await messages.searchReady();
      expect(await messages.idsMatching('ephemeral')).toEqual([]);
    });
  });
}
