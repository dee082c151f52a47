import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PreferencesFile } from '../../src-main/app/preferences.js';
import { DEFAULT_NOTIFICATION_PREFS } from '../../src-main/app/notifications.js';
import { loadSettings } from '../../src-main/config/load.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function prefsFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mb-prefs-'));
  dirs.push(dir);
  return join(dir, 'desktop-preferences.json');
}

describe('desktop preferences', () => {
  it('starts with every notification on', () => {
    expect(new PreferencesFile(prefsFile()).notifications).toEqual(DEFAULT_NOTIFICATION_PREFS);
  });

  it('persists notification preferences across launches', () => {
    const file = prefsFile();
    new PreferencesFile(file).setNotifications({ newMail: false, firstOpen: true, firstClick: false });
    expect(new PreferencesFile(file).notifications).toEqual({
      newMail: false,
      firstOpen: true,
      firstClick: false,
    });
  });

  it('falls back to the defaults when the file is damaged', () => {
    const file = prefsFile();
    writeFileSync(file, '{ nope');
    expect(new PreferencesFile(file).notifications).toEqual(DEFAULT_NOTIFICATION_PREFS);
  });

  it('remembers ports chosen in the conflict dialog as settings flags', () => {
    const file = prefsFile();
    new PreferencesFile(file).rememberListeners({
      smtp: { host: '127.0.0.1', port: 1026 },
      http: { host: '127.0.0.1', port: 8027 },
      tracking: { host: '::1', port: 8026 },
    });
    expect(JSON.parse(readFileSync(file, 'utf8')).listeners).toEqual({
      smtp: '127.0.0.1:1026',
      http: '127.0.0.1:8027',
      tracking: '[::1]:8026',
    });
    const flags = new PreferencesFile(file).listenerFlags({});
    const settings = loadSettings({ ...flags, dataDir: ':memory:' }, {});
    expect(settings.smtp).toEqual({ host: '127.0.0.1', port: 1026 });
    expect(settings.http).toEqual({ host: '127.0.0.1', port: 8027 });
    expect(settings.tracking).toEqual({ host: '::1', port: 8026 });
  });

  it('lets an MB_* variable of this launch win over a remembered port', () => {
    const file = prefsFile();
    new PreferencesFile(file).rememberListeners({
      smtp: { host: '127.0.0.1', port: 1026 },
      http: { host: '127.0.0.1', port: 8027 },
      tracking: { host: '127.0.0.1', port: 8028 },
    });
    const env = { MB_SMTP: '127.0.0.1:2525' };
    const flags = new PreferencesFile(file).listenerFlags(env);
    expect(flags).toEqual({ http: '127.0.0.1:8027', tracking: '127.0.0.1:8028' });
    expect(loadSettings({ ...flags, dataDir: ':memory:' }, env).smtp.port).toBe(2525);
  });

  it('keeps STARTTLS off until chosen, then gives the TLS choices to the next start as serve flags', () => {
    const file = prefsFile();
    const env = {};
    expect(loadSettings(new PreferencesFile(file).smtpTlsFlags(env), env, ':memory:')).toMatchObject({
      smtpTls: false,
      smtpRequireTls: false,
    });
    new PreferencesFile(file).setSmtpTls({
      starttls: 'self-signed',
      certFile: '',
      keyFile: '',
      requireTls: true,
      smtps: '127.0.0.1:1465',
    });
    const settings = loadSettings(new PreferencesFile(file).smtpTlsFlags(env), env, ':memory:');
    expect(settings).toMatchObject({
      smtpTls: true,
      smtpRequireTls: true,
      smtps: { host: '127.0.0.1', port: 1465 },
    });
    // A launch with MB_SMTP_TLS* variables says what the user wants now.
    expect(new PreferencesFile(file).smtpTlsFlags({ MB_SMTPS: '127.0.0.1:2465' })).toEqual({});
  });
});
