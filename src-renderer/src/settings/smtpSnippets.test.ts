import { describe, expect, it } from 'vitest';
import { smtpSnippets, splitAddress } from './smtpSnippets';

describe('SMTP snippets', () => {
  it('covers every framework the settings page promises', () => {
    expect(smtpSnippets('127.0.0.1:1025').map((s) => s.label)).toEqual([
      'Nodemailer',
      'Django',
      'Rails',
      'Laravel',
      'Spring Boot',
      'Go net/smtp',
      '.NET',
    ]);
  });

  it('puts the real host and port into each snippet', () => {
    for (const s of smtpSnippets('127.0.0.1:42311')) {
      expect(s.code, s.label).toContain('127.0.0.1');
      expect(s.code, s.label).toContain('42311');
      expect(s.code, s.label).not.toContain('1025');
    }
  });

  it('connects to loopback when the listener binds every interface, and reads IPv6', () => {
    expect(splitAddress('0.0.0.0:2525')).toEqual({ host: '127.0.0.1', port: 2525 });
    expect(splitAddress('[::1]:2525')).toEqual({ host: '::1', port: 2525 });
    expect(splitAddress('nonsense')).toEqual({ host: '127.0.0.1', port: 1025 });
  });
});

describe('SMTP snippets for an inbox', () => {
  it('logs in with the inbox as user name in every snippet', () => {
    const plain = smtpSnippets('127.0.0.1:42311');
    const forShop = smtpSnippets('127.0.0.1:42311', 'shop-eu');
    for (const [i, s] of forShop.entries()) {
      expect(s.code, s.label).toContain('shop-eu');
      expect(s.code, s.label).toContain('42311');
      expect(plain[i]!.code, s.label).not.toContain('shop-eu');
    }
    expect(forShop.find((s) => s.id === 'go')!.code).toContain('smtp.SendMail("127.0.0.1:42311", auth,');
    expect(forShop.find((s) => s.id === 'nodemailer')!.code).toContain("auth: { user: 'shop-eu'");
  });
});
