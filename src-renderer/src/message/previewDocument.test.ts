import { describe, expect, it } from 'vitest';
import type { Attachment } from '../../../src-main/api/types';
import { buildPreviewDocument, PREVIEW_CSP, rewriteCidUrls, textAsDocument } from './previewDocument';

const logo = {
  PartID: '2',
  ContentID: '<logo@acme>',
  FileName: 'logo.png',
  ContentType: 'image/png',
} as Attachment;
const partUrl = (id: string) => `http://127.0.0.1:8025/api/v1/message/M1/part/${id}`;

describe('preview document', () => {
  it('puts the CSP and a _blank base before the mail, after a doctype', () => {
    const doc = buildPreviewDocument(
      '<!DOCTYPE html><html><head><title>x</title></head><body>hi</body></html>',
      [],
      partUrl,
    );
    expect(doc.startsWith('<!DOCTYPE html><meta http-equiv="Content-Security-Policy"')).toBe(true);
    expect(doc).toContain('<base target="_blank">');
    expect(doc.indexOf('<base')).toBeLessThan(doc.indexOf('<title>'));
  });

  it('puts them first when the mail has no doctype or head', () => {
    const doc = buildPreviewDocument('<p>hi</p>', [], partUrl);
    expect(doc.startsWith('<meta http-equiv="Content-Security-Policy"')).toBe(true);
    expect(doc.endsWith('<p>hi</p>')).toBe(true);
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
