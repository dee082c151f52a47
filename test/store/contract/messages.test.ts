// The contract of MessageStore's write path and reads, run against every engine (engines.ts).
import { describe, expect, it } from 'vitest';
import { ENGINES } from './engines.js';
import { storesOf } from './stores.js';
import { newMail } from './mails.js';

for (const engine of ENGINES) {
  describe(`MessageStore contract: ${engine.name}`, () => {
    const { open, openAt, place } = storesOf(engine);

    it('write resolves with the mail stored: readable at once, counted, listed newest first', async () => {
      const { messages } = open();
      const mails = [newMail(1), newMail(2, { tags: ['billing'] }), newMail(3)];
      const seqs = await Promise.all(mails.map((mail) => messages.write(mail)));
      expect(new Set(seqs).size).toBe(3);
      for (const mail of mails) {
        expect((await messages.get(mail.id))?.subject).toBe(mail.subject);
        expect((await messages.raw(mail.id))?.raw.equals(mail.raw)).toBe(true);
      }
      expect(await messages.count()).toEqual({ total: 3, unread: 3 });
      const page = await messages.page(0, 10);
      expect(page.messages.map((m) => m.id)).toEqual(mails.map((m) => m.id).reverse());
      expect(await messages.latestId()).toBe(mails[2]!.id);
      expect(await messages.resolveId('latest')).toBe(mails[2]!.id);
      expect(await messages.tags()).toEqual(['billing']);
    });

    it('a large mail is written in slices and reads back whole', async () => {
      const { messages } = open();
      const big = Buffer.concat([newMail(1).raw, Buffer.alloc(5 * 1024 * 1024, 'x')]);
      const mail = newMail(1, { raw: big });
      await messages.write(mail);
      expect((await messages.raw(mail.id))?.raw.equals(big)).toBe(true);
      expect((await messages.get(mail.id))?.size).toBe(big.length);
    });

    it('runs commit hooks in the mail’s own transaction: a hook that throws stores nothing of the mail', async () => {
      const { messages } = open();
      const seen: string[] = [];
      messages.addCommitHook(({ message }) => {
        if (message.subject === 'refused') throw new Error('hook refused');
        seen.push(message.id);
      });
      const kept = newMail(1);
      const refused = newMail(2, { subject: 'refused' });
      const [ok, failed] = await Promise.allSettled([messages.write(kept), messages.write(refused)]);
      expect(ok.status).toBe('fulfilled');
      expect(failed.status).toBe('rejected');
      expect(seen).toEqual([kept.id]);
      expect(await messages.get(refused.id)).toBeUndefined();
      expect((await messages.count()).total).toBe(1);
    });

    it('keeps at most --max-messages mails, the newest', async () => {
      const { messages } = open({ maxMessages: 3 });
      const mails = Array.from({ length: 5 }, (_, n) => newMail(n));
      for (const mail of mails) await messages.write(mail);
      expect((await messages.count()).total).toBe(3);
      expect((await messages.page(0, 10)).messages.map((m) => m.id)).toEqual(
        mails
          .slice(2)
          .map((m) => m.id)
          .reverse(),
      );
    });

    it('read flags, tags and deletes return the ids they changed', async () => {
      const { messages } = open();
      const [a, b] = [newMail(1), newMail(2)];
      await messages.write(a);
      await messages.write(b);
      expect(await messages.setRead([a.id], true)).toEqual([a.id]);
      expect(await messages.setRead([a.id], true)).toEqual([]);
      expect(await messages.count()).toEqual({ total: 2, unread: 1 });
      expect(await messages.setTags([a.id, b.id], ['Shop', 'vip'])).toHaveLength(2);
      expect(await messages.tagCounts()).toEqual({ Shop: 2, vip: 2 });
      expect((await messages.renameTag('vip', 'gold')).sort()).toEqual([a.id, b.id].sort());
      expect(await messages.deleteTag('Shop')).toHaveLength(2);
      expect(await messages.tags()).toEqual(['gold']);
      expect(await messages.delete([a.id, 'no-such-id'])).toEqual([a.id]);
      expect(await messages.get(a.id)).toBeUndefined();
      expect(await messages.delete('all')).toEqual([b.id]);
      expect(await messages.count()).toEqual({ total: 0, unread: 0 });
    });

    it('a mail written survives closing and opening the store again', async () => {
      const where = place();
      const first = engine.open(where);
      const mail = newMail(1);
      await first.messages.write(mail);
      await first.close();
      const again = openAt(where);
      expect((await again.messages.get(mail.id))?.subject).toBe(mail.subject);
      expect((await again.messages.count()).total).toBe(1);
    });
  });
}
