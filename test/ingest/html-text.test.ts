import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../src-main/ingest/html-text.js';

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
