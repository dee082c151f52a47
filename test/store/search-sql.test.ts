// The SQL a parsed query becomes: address filters through the index of distinct addresses, one intersected set of
// mails, user input as literals, and a 400 for a bad value.
import { describe, expect, it } from 'vitest';
import { buildSearch } from '../../src-main/store/search-sql.js';

describe('search query building', () => {
  it('says whether a query has any term', () => {
    expect(buildSearch('   ').hasTerms).toBe(false);
    expect(buildSearch('from:').hasTerms).toBe(false);
    expect(buildSearch('is:unread').hasTerms).toBe(true);
    expect(buildSearch('"x"').hasTerms).toBe(true);
  });

  it("finds from:/to: through the index of distinct addresses, never the mails' columns", () => {
    const { where, params } = buildSearch('from:Billing@shop.test');
    expect(where).toContain('addresses_fts MATCH');
    expect(where).toContain('fields & 1 ');
    expect(where).not.toMatch(/from_json|LIKE/);
    // The whole term as one phrase of trigrams, in the lower case the addresses are kept in.
    expect(params).toEqual(['"billing@shop.test"']);
  });

  it('intersects the sets of mails a query names into one list, probed once per mail', () => {
    // Two `m.seq IN` lists on the (seq, read) index were probed as every pair of their members.
    const { where, params } = buildSearch('invoice from:shop0 is:unread tag:vip subject:renewal');
    expect(where.match(/m\.seq IN \(/g)).toHaveLength(1);
    expect(where.match(/INTERSECT/g)).toHaveLength(2);
    expect(params).toEqual([
      '%renewal%',
      '"shop0"',
      'vip',
      '"invoice" AND subject : ("ren" AND "ewa" AND "wal")',
    ]);
  });

  it('negates an address filter as a set of mails, so a negated term still excludes every match', () => {
    const { where } = buildSearch('-from:billing');
    expect(where).toContain('m.seq NOT IN (SELECT seq FROM search.message_addresses');
  });

  it('treats operators in user input as literals', () => {
    // Each term is one quoted FTS5 phrase, so OR and * from the user are searched for, not obeyed; OR, too short
    // for the index, is looked for as text with LIKE.
    const { params } = buildSearch('"abc" OR bcd*');
    expect(params.at(-1)).toBe('"abc" AND "bcd*"');
    expect(params.slice(0, -1).every((p) => p === '%OR%')).toBe(true);
  });

  it('refuses an unknown is: value and a bad date with a 400', () => {
    expect(() => buildSearch('is:sideways')).toThrow(expect.objectContaining({ statusCode: 400 }));
    expect(() => buildSearch('before:yesterdayish')).toThrow(expect.objectContaining({ statusCode: 400 }));
  });
});
