import { describe, expect, it } from 'vitest';
import { defaultNote, draftFrom, fieldErrors, generateSecret, patchFrom } from './settingsForm';

const none = {
  MaxMessages: null,
  MaxAge: null,
  Tracking: null,
  Relay: { Mode: 'default' as const, Matching: null, To: null },
  Webhook: { URL: null, Secret: null },
  TagRules: [],
};

describe('the inbox settings form', () => {
  it('sends empty fields as null (the flag applies) and the rest as typed', () => {
    expect(patchFrom(draftFrom(none))).toEqual(none);
    const draft = {
      ...draftFrom(none),
      maxMessages: ' 500 ',
      maxAge: '7d',
      tracking: 'off' as const,
      relayMode: 'matching' as const,
      relayMatching: '@shop\\.test$',
      tagRules: [
        { tag: 'vip', query: 'to:@vip.test' },
        { tag: '', query: ' ' },
      ],
    };
    expect(patchFrom(draft)).toEqual({
      ...none,
      MaxMessages: 500,
      MaxAge: '7d',
      Tracking: false,
      Relay: { Mode: 'matching', Matching: '@shop\\.test$', To: null },
      TagRules: [{ Tag: 'vip', Query: 'to:@vip.test' }],
    });
    // Not a count: sent as typed, for the server to name the field.
    expect(patchFrom({ ...draft, maxMessages: '-3' }).MaxMessages).toBe('-3');
  });

  it('splits the API 400 into messages per field', () => {
    const message =
      '[api] 400 bad request: MaxAge: bad age "7 weeks"; Relay.Matching: bad regular expression: Invalid regular expression: /(/: Unterminated group; TagRules.1.Query: bad query: the query is empty (/inbox/shop/api/v1/inboxes/shop/settings)';
    expect(fieldErrors(message)).toEqual({
      MaxAge: 'bad age "7 weeks"',
      'Relay.Matching': 'bad regular expression: Invalid regular expression: /(/: Unterminated group',
      'TagRules.1.Query': 'bad query: the query is empty',
    });
    expect(fieldErrors('[api] 400 bad request: body: expected object')).toEqual({
      '': 'body: expected object',
    });
    expect(fieldErrors('[api] 0 the server is unreachable')).toEqual({ '': '0 the server is unreachable' });
  });

  it('generates whsec_ and the base64 of 24 random bytes', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(atob(secret.slice(6))).toHaveLength(24);
    expect(generateSecret()).not.toBe(secret);
    expect(generateSecret((b) => b.fill(255))).toBe(`whsec_${'/'.repeat(32)}`);
  });

  it('says what an empty field stands for', () => {
    expect(defaultNote(10000, '--max-messages')).toBe('default: 10000 (--max-messages)');
    expect(defaultNote(null, '--max-age')).toBe('default: none (--max-age)');
    expect(defaultNote(true, '--no-track')).toBe('default: on (--no-track)');
  });
});
