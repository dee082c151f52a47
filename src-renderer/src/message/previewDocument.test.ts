// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import type { Attachment } from '../../../src-main/wire/types';
import { buildPreviewDocument, PREVIEW_CSP, rewriteCidUrls, textAsDocument } from './previewDocument';

const logo = {
  PartID: '2',
  ContentID: '<logo@acme>',
  FileName: 'logo.png',
  ContentType: 'image/png',
} as Attachment;
const partUrl = (id: string) => `http://127.0.0.1:8025/api/v1/message/M1/part/${id}`;

function parse(doc: string): Document {
  return new DOMParser().parseFromString(doc, 'text/html');
}

describe('preview document', () => {
  it('puts the CSP, no-referrer and a _blank base first in <head>, keeping the doctype', () => {
    const out = buildPreviewDocument(
      '<!DOCTYPE html><html><head><title>x</title></head><body>hi</body></html>',
      [],
      partUrl,
    );
    expect(out.startsWith('<!DOCTYPE html><html>')).toBe(true);
    const head = parse(out).head.children;
    expect(head[0].getAttribute('http-equiv')).toBe('Content-Security-Policy');
    expect(head[0].getAttribute('content')).toBe(PREVIEW_CSP);
    expect(head[1].getAttribute('content')).toBe('no-referrer');
    expect(head[2].tagName).toBe('BASE');
    expect(head[2].getAttribute('target')).toBe('_blank');
    expect(head[3].tagName).toBe('TITLE');
  });

  it('works for a fragment without html, head or doctype', () => {
    const doc = parse(buildPreviewDocument('<p>hi</p>', [], partUrl));
    expect(doc.head.firstElementChild?.getAttribute('http-equiv')).toBe('Content-Security-Policy');
    expect(doc.body.innerHTML).toBe('<p>hi</p>');
  });

  it("opens every link in a new window, whatever the mail's own target or base says", () => {
    const doc = parse(
      buildPreviewDocument(
        '<html><head><base href="https://evil.test/" target="_self"></head><body>' +
          '<a href="http://t/c?t=1" target="_self">a</a><a href="http://t/c?t=2" target="_top">b</a>' +
          '<map><area href="http://t/c?t=3" target="frame"></map></body></html>',
        [],
        partUrl,
      ),
    );
    const bases = doc.querySelectorAll('base');
    expect(bases.length).toBe(1);
    expect(bases[0].getAttribute('target')).toBe('_blank');
    expect(bases[0].hasAttribute('href')).toBe(false);
    expect(doc.querySelectorAll('[target]').length).toBe(1); // only our base
    expect(doc.querySelector('a')?.getAttribute('href')).toBe('http://t/c?t=1');
  });

  it('allows no scripts and no forms', () => {
    expect(PREVIEW_CSP).toContain("default-src 'none'");
    expect(PREVIEW_CSP).not.toContain('script-src');
    expect(PREVIEW_CSP).toContain("form-action 'none'");
  });

  it('rewrites cid: images to the part URL and leaves unknown cids alone', () => {
    const html =
      '<img src="cid:logo@acme"><img src=\'cid:other\'><div style="background:url(cid:logo@acme)">';
    const out = rewriteCidUrls(html, [logo], partUrl);
    expect(out).toBe(
      `<img src="${partUrl('2')}"><img src='cid:other'><div style="background:url(${partUrl('2')})">`,
    );
  });

  it('escapes a text-only mail', () => {
    const doc = textAsDocument('<script>alert(1)</script> & more');
    expect(doc).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
    expect(doc).not.toContain('<script>');
  });
});
