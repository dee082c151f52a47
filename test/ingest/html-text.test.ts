import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../src-main/ingest/html-text.js';
import { buildSearch } from '../../src-main/store/search-query.js';

describe('htmlToText (search text and snippet of HTML-only mails)', () => {
  it('keeps visible text with line breaks at blocks, decodes entities, drops head, style and script', () => {
    const html =
      '<html><head><title>T</title><style>p{color:red}</style></head><body><h1>Hello &amp; welcome</h1>' +
      '<p>Line one<br>line two</p><script>alert(1)</script><ul><li>a</li><li>b</li></ul></body></html>';
    expect(htmlToText(html)).toBe('Hello & welcome\n\nLine one\nline two\n\na\n\nb');
  });

  it('skips comments, raw text and quoted attribute values, and keeps a lone < as text', () => {
    const html =
      '<head><meta name="x">head text</head><body><!-- <p>hidden</p> --><a title="a > b" href=\'x\'>link</a>' +
      '<script>if (a<b) document.write("<p>no</p>")</script><STYLE>p>b{}</STYLE><p>1 < 2 &amp;&amp; 3 > 2</p>' +
      '<template><p>later</p></template><textarea>typed &lt;here&gt;</textarea><noscript>js off</noscript></body>';
    expect(htmlToText(html)).toBe('link\n1 < 2 && 3 > 2\n\ntyped <here>');
  });

  it('never throws on markup cut short', () => {
    expect(htmlToText('<p>text <a href="never closed')).toBe('text');
    expect(htmlToText('visible <!-- open comment')).toBe('visible');
    expect(htmlToText('<script>no end')).toBe('');
    expect(htmlToText('tail <')).toBe('tail <');
  });

  it('reads tag names in any case', () => {
    expect(htmlToText('<DIV>a</Div><Br>b<TEMPLATE>x</template><H1>c</h1 >')).toBe('a\n\nb\nc');
  });

  it('copes with broken markup', () => {
    expect(htmlToText('<p>open <b>bold <i>both</p> tail &nbsp;&lt;x&gt;')).toBe('open bold both\ntail <x>');
  });
});

describe('search query building', () => {
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
