// The parser of Mailpit's search syntax: which `word:` is a filter, negation, and the in-memory match of tag rules.
import { describe, expect, it } from 'vitest';
import { matchesMail, type MailCandidate } from '../../src-main/search/match.js';
import { parseQuery } from '../../src-main/search/query.js';

const mail: MailCandidate = {
  from: { Name: 'Ann', Address: 'ann@shop.test' },
  to: [{ Name: '', Address: 'cleo@example.test' }],
  cc: [],
  bcc: [],
  replyTo: [{ Name: '', Address: 'replies@shop.test' }],
  subject: 'Invoice 42',
  messageId: 'abc@shop.test',
  tags: ['vip'],
  size: 12_000,
  attachments: 1,
  inline: 0,
  createdMs: Date.UTC(2026, 0, 10, 12),
  text: 'Invoice 42 Ann ann@shop.test your invoice is ready',
};

describe('search query parsing', () => {
  it('takes only a lowercase or known word before a colon at the start of a term as a filter', () => {
    expect(parseQuery('Re: hello')).toEqual([
      { kind: 'text', value: 'Re:', negated: false },
      { kind: 'text', value: 'hello', negated: false },
    ]);
    expect(parseQuery('RE:hello 10:30 http://x.test/a mailto:a@b.test')).toEqual(
      ['RE:hello', '10:30', 'http://x.test/a', 'mailto:a@b.test'].map((value) => ({
        kind: 'text',
        value,
        negated: false,
      })),
    );
    expect(parseQuery('FROM:ann')).toEqual([
      { kind: 'address', field: 'from', value: 'ann', negated: false },
    ]);
    expect(() => parseQuery('colour:red')).toThrow(/unknown filter "colour:".*from:.*is:.*larger:/);
  });

  it('negates with ! and -, keeps quoted values whole, and reads sizes and dates', () => {
    expect(
      parseQuery('!subject:"big sale" -tag:vip larger:1.5m smaller:10kb before:2026-01-31T10:30'),
    ).toEqual([
      { kind: 'subject', value: 'big sale', negated: true },
      { kind: 'tag', value: 'vip', negated: true },
      { kind: 'size', op: 'larger', bytes: 1_572_864, negated: false },
      { kind: 'size', op: 'smaller', bytes: 10_240, negated: false },
      { kind: 'date', op: 'before', ms: new Date('2026-01-31T10:30').getTime(), negated: false },
    ]);
    expect(() => parseQuery('is:sideways')).toThrow(/tagged/);
    expect(() => parseQuery('has:wings')).toThrow(/inline/);
    expect(() => parseQuery('before:someday')).toThrow(/before:/);
  });

  it('matches a mail not yet stored as the stored search would, for tag rules', () => {
    const match = (q: string) => matchesMail(parseQuery(q), mail);
    expect(match('subject:invoice')).toBe(true);
    expect(match('addressed:replies')).toBe(true);
    expect(match('reply-to:cleo')).toBe(false);
    expect(match('larger:10k has:attachment -has:inline is:unread is:tagged tag:VIP')).toBe(true);
    expect(match('"invoice is ready" !from:bob')).toBe(true);
    expect(match('is:read')).toBe(false);
    expect(match('is:opened')).toBe(false);
    expect(match('after:2026-01-11')).toBe(false);
  });
});
