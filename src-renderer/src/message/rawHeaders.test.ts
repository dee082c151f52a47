import { describe, expect, it } from 'vitest';
import { addedHeaderNames, parseRawHeaders } from './rawHeaders';

const raw = [
  'From: Acme <shop@acme.test>',
  'To: ann@example.org',
  'Subject: =?UTF-8?Q?Hello?=',
  'List-Unsubscribe: <http://127.0.0.1:8026/u?t=abc>,',
  '\t<mailto:unsub@acme.test>',
  'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
  'Received: from a',
  'Received: from b',
  '',
  'Body: not a header',
].join('\r\n');

describe('raw header block', () => {
  it('unfolds continuation lines, keeps repeated headers and stops at the body', () => {
    const h = parseRawHeaders(raw);
    expect(h['List-Unsubscribe']).toEqual(['<http://127.0.0.1:8026/u?t=abc>, <mailto:unsub@acme.test>']);
    expect(h['Received']).toEqual(['from a', 'from b']);
    expect(h['Subject']).toEqual(['=?UTF-8?Q?Hello?=']);
    expect(h['Body']).toBeUndefined();
  });

  it('names the headers tracking added', () => {
    const original = { from: ['x'], To: ['y'] };
    const tracked = parseRawHeaders(raw);
    expect(addedHeaderNames(original, tracked)).toEqual(
      new Set(['Subject', 'List-Unsubscribe', 'List-Unsubscribe-Post', 'Received']),
    );
  });
});
