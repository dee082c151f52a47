import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src-main/logger.js';
import {
  TrackingInjector,
  withoutOptOutHeader,
  type TrackingRule,
} from '../../src-main/tracking/inject/index.js';
import { TokenCodec, generateKey } from '../../src-main/tracking/index.js';

const BASE = 'http://127.0.0.1:8026';
const CTX = {
  messageId: 'msg-1',
  sender: 'app@example.com',
  recipients: ['reader@example.org'],
  subject: 'Hello',
};

function injector(options: { trackText?: boolean; rules?: TrackingRule[]; enabled?: boolean } = {}) {
  const codec = new TokenCodec({ mode: 'signed', keys: [generateKey()] });
  return {
    codec,
    injector: new TrackingInjector({
      codec,
      trackingBase: () => `${BASE}/`,
      trackText: options.trackText ?? false,
      enabled: options.enabled ?? true,
      rules: options.rules ?? [],
      clock: systemClock,
    }),
  };
}

function htmlMail(html: string, headers = '', charset = 'utf-8', encoding = '8bit'): Buffer {
  return Buffer.concat([
    Buffer.from(
      `From: app@example.com\r\nTo: reader@example.org\r\nSubject: Hello\r\n${headers}MIME-Version: 1.0\r\n` +
        `Content-Type: text/html; charset=${charset}\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n`,
    ),
    Buffer.from(html, charset === 'iso-8859-1' ? 'latin1' : 'utf8'),
  ]);
}

describe('injection rules', () => {
  it('reads tag and attribute names in any case, and only tracks the links of link tags', async () => {
    const { injector: inj } = injector();
    const html =
      `<HTML><BODY><A HREF="https://example.com/upper">u</A><Area Href=https://example.com/area alt="">` +
      `<abbr href="https://example.com/abbr">not a link tag</abbr><TD DATA-MB-NO-TRACK ALIGN=left>cell</TD>` +
      `<p aria-describedx="keep" data-pm-no-trackx="keep">same lengths, other names</p></BODY></HTML>`;
    const { raw, manifest } = await inj.inject(htmlMail(html), CTX);
    const out = raw.toString('utf8');
    expect(manifest.links.map((l) => l.originalUrl)).toEqual([
      'https://example.com/upper',
      'https://example.com/area',
    ]);
    expect(manifest.links.map((l) => l.tag)).toEqual(['a', 'area']);
    expect(out).toContain('<abbr href="https://example.com/abbr">');
    expect(out).toContain('<TD ALIGN=left>cell</TD>');
    expect(out).toContain('<p aria-describedx="keep" data-pm-no-trackx="keep">');
    expect(manifest.pixel?.placement).toBe('before-body-end');
    expect(out).toMatch(/<img src="http:\/\/127\.0\.0\.1:8026\/o\?t=[^"]+"[^>]*><\/BODY>/);
  });

  it('tracks absolute http(s) links only and leaves every other href byte-identical', async () => {
    const kept = [
      'mailto:a@example.com',
      'tel:+4912345',
      'sms:+4912345',
      '#top',
      'javascript:void(0)',
      'data:text/plain,hi',
      '/relative/path',
      'page.html',
      '{{action_url}}',
      'https://example.com/?u={{user_id}}',
      '*|ARCHIVE|*',
      '%recipient_url%',
      '%%view_online%%',
      `${BASE}/c?t=already`,
    ];
    const html =
      `<html><body>` +
      kept.map((h, i) => `<a href="${h}">k${i}</a>`).join('') +
      `<a href="HTTPS://Example.com/Upper">u</a><a href='http://example.com/a?x=1&amp;y=2'>q</a>` +
      `<map><area href=https://example.com/area alt=""></map>` +
      `<a data-mb-no-track href="https://example.com/nt1">n</a><a href="https://example.com/nt2" clicktracking=off>n</a>` +
      `<a ses:no-track href="https://example.com/nt3">n</a><a data-pm-no-track href="https://example.com/nt4">n</a>` +
      `<a href="https://example.com/nt5" data-mautic-disable-tracking="true">n</a>` +
      `<a href="https://example.com/same">1</a><a href="https://example.com/same">2</a>` +
      `</body></html>`;
    const { injector: inj, codec } = injector();
    const { raw, manifest, trackedHtml } = await inj.inject(htmlMail(html), CTX);
    for (const h of kept) expect(trackedHtml).toContain(`href="${h}"`);
    expect(manifest.skipped.map((s) => s.url)).toEqual([
      ...kept,
      'https://example.com/nt1',
      'https://example.com/nt2',
      'https://example.com/nt3',
      'https://example.com/nt4',
      'https://example.com/nt5',
    ]);
    expect(manifest.links.map((l) => [l.index, l.tag, l.originalUrl])).toEqual([
      [1, 'a', 'HTTPS://Example.com/Upper'],
      [2, 'a', 'http://example.com/a?x=1&y=2'],
      [3, 'area', 'https://example.com/area'],
      [4, 'a', 'https://example.com/same'],
      [5, 'a', 'https://example.com/same'],
    ]);
    // each occurrence has its own token; metadata says which mail, recipient and link
    expect(new Set(manifest.links.map((l) => l.tokenId)).size).toBe(5);
    const payload = codec.decode(
      new URL(manifest.links[1]!.trackedUrl).searchParams.get('t'),
      'click',
    ).payload;
    expect(payload.metadata).toEqual({ message_id: 'msg-1', recipient: 'reader@example.org', link: '2' });
    expect(payload.url).toBe('http://example.com/a?x=1&y=2');
    // unquoted values get quotes; opt-out attributes are stripped
    expect(trackedHtml).toMatch(/<area href="http:\/\/127\.0\.0\.1:8026\/c\?t=[^"]+" alt="">/);
    for (const attr of [
      'data-mb-no-track',
      'clicktracking',
      'ses:no-track',
      'data-pm-no-track',
      'data-mautic-disable-tracking',
    ]) {
      expect(trackedHtml).not.toContain(attr);
    }
    expect(trackedHtml).toContain('<a href="https://example.com/nt2">n</a>');
    expect(trackedHtml).toContain('<a href="https://example.com/nt1">n</a>');
    // links sit where they were: positions point at the href value in the original
    expect(html.slice(manifest.links[2]!.offset, manifest.links[2]!.offset + 24)).toBe(
      'https://example.com/area',
    );
    expect((await simpleParser(raw)).html).toBe(trackedHtml);
  });

  it('puts the pixel before </body>, or at the end when there is no body, never inside a comment', async () => {
    const { injector: inj } = injector();
    const withBody = await inj.inject(
      htmlMail('<html><body><p>x</p><!-- </body> --></body>\r\n</html>\r\n'),
      CTX,
    );
    expect(withBody.manifest.pixel!.placement).toBe('before-body-end');
    expect(withBody.trackedHtml).toMatch(
      /<!-- <\/body> --><img src="[^"]+\/o\?t=[^"]+" width="1" height="1" alt="" style="[^"]+"><\/body>\n<\/html>\n$/,
    );
    const noBody = await inj.inject(htmlMail('<p>Hello <a href="https://example.com/">there</a></p>'), CTX);
    expect(noBody.manifest.pixel!.placement).toBe('end-of-document');
    expect(noBody.trackedHtml).toMatch(/<\/a><\/p><img src="[^"]+\/o\?t=[^"]+"[^>]*>$/);
    expect(noBody.manifest.links).toHaveLength(1);
  });

  it('rewrites links inside MSO conditional comments (VML buttons) and marks them', async () => {
    const html =
      `<html><body><div><!--[if mso]><v:roundrect xmlns:v="urn:schemas-microsoft-com:vml" href="https://example.com/vml" style="height:40px"><w:anchorlock/><center>Go</center></v:roundrect><![endif]-->` +
      `<!--[if !mso]><!--><a href="https://example.com/button">Go</a><!--<![endif]-->` +
      `<!-- a plain comment <a href="https://example.com/commented">x</a> --></div></body></html>`;
    const { injector: inj } = injector();
    const { manifest, trackedHtml } = await inj.inject(htmlMail(html), CTX);
    expect(manifest.links.map((l) => [l.originalUrl, l.inMsoComment])).toEqual([
      ['https://example.com/vml', true],
      ['https://example.com/button', false],
    ]);
    expect(trackedHtml).toContain('<a href="https://example.com/commented">x</a>');
    expect(trackedHtml).toMatch(
      /<v:roundrect xmlns:v="urn:schemas-microsoft-com:vml" href="http:\/\/127\.0\.0\.1:8026\/c\?t=/,
    );
  });

  it('fills unsubscribe placeholders and adds List-Unsubscribe only when absent', async () => {
    const html = `<body><a href="{{unsubscribe_url}}">Unsubscribe</a> <a href="{{{ pm:unsubscribe }}}">x</a> *|UNSUB|* <a href="%unsubscribe_url%">y</a></body>`;
    const { injector: inj } = injector();
    const { manifest, trackedHtml, raw } = await inj.inject(htmlMail(html), CTX);
    expect(manifest.unsubscribe.placeholdersFilled).toBe(4);
    expect(trackedHtml.split(manifest.unsubscribe.url).length - 1).toBe(4);
    expect(manifest.skipped).toEqual([]);
    expect(manifest.unsubscribe.headersAdded).toBe(true);
    expect(raw.toString()).toContain(
      `\r\nList-Unsubscribe: <${manifest.unsubscribe.url}>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\n`,
    );

    const own = await inj.inject(htmlMail('<p>x</p>', 'List-Unsubscribe: <mailto:u@example.com>\r\n'), CTX);
    expect(own.manifest.unsubscribe).toMatchObject({
      headersAdded: false,
      existingHeader: '<mailto:u@example.com>',
    });
    expect(own.raw.toString().match(/List-Unsubscribe/g)).toHaveLength(1);
  });

  it('keeps a latin1 part byte for byte outside the edits', async () => {
    const html = '<html><body><p>Grüße aus Köln</p><a href="https://example.com/ä">x</a></body></html>';
    const { injector: inj, codec } = injector();
    const original = htmlMail(html, '', 'iso-8859-1');
    const { raw, manifest, trackedHtml } = await inj.inject(original, CTX);
    expect(trackedHtml).toContain('Grüße aus Köln');
    expect(raw.includes(Buffer.from('<p>Gr\xfc\xdfe aus K\xf6ln</p>', 'latin1'))).toBe(true);
    expect(codec.decode(new URL(manifest.links[0]!.trackedUrl).searchParams.get('t')).payload.url).toBe(
      'https://example.com/ä',
    );
  });

  it('is switched off by the header, a rule or --no-track, returning the input bytes', async () => {
    const mail = htmlMail('<a href="https://example.com/">x</a>');
    const off = await injector().injector.inject(htmlMail('<p>x</p>', 'X-Mailbeacon-Track: off\r\n'), CTX);
    expect(off.manifest).toMatchObject({
      enabled: false,
      disabledReason: expect.stringContaining('X-Mailbeacon-Track'),
    });
    const rules = [{ subject: /^nope$/ }, { sender: /@example\.com$/, recipient: /^reader@/ }];
    const ruled = await injector({ rules }).injector.inject(mail, CTX);
    expect(ruled.raw).toBe(mail);
    expect(ruled.manifest.disabledReason).toContain('rule 2');
    const notRuled = await injector({ rules: [{ sender: /@other\.example$/ }] }).injector.inject(mail, CTX);
    expect(notRuled.manifest.enabled).toBe(true);
    const disabled = await injector({ enabled: false }).injector.inject(mail, CTX);
    expect(disabled.raw).toBe(mail);
    expect(disabled.trackedHtml).toBe('');
  });

  it('never throws on broken MIME and says why nothing was injected', async () => {
    const { injector: inj } = injector();
    const broken = [
      Buffer.from('Content-Type: multipart/mixed\r\n\r\nno boundary here'),
      Buffer.from(
        'Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/html\r\n\r\n<p>unterminated',
      ),
      Buffer.alloc(0),
      Buffer.from('\r\n\r\n\r\n'),
      Buffer.from(
        Array.from(
          { length: 40 },
          (_, i) => `Content-Type: multipart/mixed; boundary=q${i}z\r\n\r\n--q${i}z\r\n`,
        ).join(''),
      ),
      Buffer.from('Content-Type: text/html; charset=utf-16\r\n\r\n<\0p\0>\0'),
    ];
    for (const raw of broken) {
      const result = await inj.inject(raw, CTX);
      expect(result.manifest).toBeDefined();
      if (!result.manifest.enabled) expect(result.manifest.disabledReason).not.toBe('');
    }
    expect((await inj.inject(broken[0]!, CTX)).manifest.disabledReason).toContain('boundary');
    expect((await inj.inject(broken[4]!, CTX)).manifest.disabledReason).toContain('nested');
    const utf16 = await inj.inject(broken[5]!, CTX);
    expect(utf16.manifest.skipped[0]!.reason).toContain('utf-16');
    // an unterminated multipart is still tracked, as mail clients would still show it
    expect((await inj.inject(broken[1]!, CTX)).manifest.pixel).not.toBeNull();
  });

  it('leaves text/plain alone by default and rewrites its links with --track-text', async () => {
    const mail = Buffer.from(
      'From: a@example.com\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n' +
        '--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n' +
        'See https://example.com/a. Or (https://example.com/b), mailto:x@example.com, {{unsubscribe_url}}\r\n' +
        '--b\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--b--\r\n',
    );
    const plain = await injector().injector.inject(mail, CTX);
    expect((await simpleParser(plain.raw)).text).toBe((await simpleParser(mail)).text);
    const { injector: inj } = injector({ trackText: true });
    const { raw, manifest } = await inj.inject(mail, CTX);
    const text = (await simpleParser(raw)).text ?? '';
    expect(manifest.links.map((l) => [l.originalUrl, l.partId])).toEqual([
      ['https://example.com/a', '1'],
      ['https://example.com/b', '1'],
    ]);
    expect(text).toMatch(
      /^See http:\/\/127\.0\.0\.1:8026\/c\?t=\S+\. Or \(http:\/\/127\.0\.0\.1:8026\/c\?t=\S+\), mailto:x@example\.com, http:\/\/127\.0\.0\.1:8026\/u\?t=\S+$/,
    );
    expect(manifest.unsubscribe.placeholdersFilled).toBe(1);
  });
});

describe('withoutOptOutHeader', () => {
  it('removes the header and its folded lines, and nothing else', () => {
    const mail = Buffer.from(
      'From: a@example.com\r\nX-Mailbeacon-Track: off\r\n\tcontinued\r\nSubject: Hi\r\nx-mailbeacon-track : no\r\n\r\nX-Mailbeacon-Track: body text\r\n',
    );
    expect(withoutOptOutHeader(mail).toString()).toBe(
      'From: a@example.com\r\nSubject: Hi\r\n\r\nX-Mailbeacon-Track: body text\r\n',
    );
    const plain = Buffer.from('From: a@example.com\r\n\r\nbody');
    expect(withoutOptOutHeader(plain)).toBe(plain);
  });
});
