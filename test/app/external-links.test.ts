import { describe, expect, it } from 'vitest';
import {
  decideExternalLink,
  guardedOpenExternal,
  isPrivateHost,
  trackedLinkDestination,
} from '../../src-main/app/external-links.js';
import { createCodec, generateKey, trackingUrl } from '../../src-main/tracking/index.js';
import { recordingLogger } from './stand-ins.js';

const hostOf = (url: string) => new URL(url).hostname;

describe('which hosts are local', () => {
  it.each([
    'http://127.0.0.1/',
    'http://127.255.1.9:8080/',
    'http://10.1.2.3/',
    'http://172.16.0.1/',
    'http://172.31.255.254/',
    'http://192.168.1.1/admin',
    'http://169.254.169.254/latest/meta-data',
    'http://0.0.0.0:3000/',
    'http://[::1]/',
    'http://[fc00::1]/',
    'http://[fd12:3456::1]/',
    'http://[fe80::1]/',
    'http://[febf::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:192.168.0.10]/',
    'http://localhost:5173/',
    'http://LOCALHOST./',
    'http://api.localhost/',
    'http://printer.local/',
    // written the ways URL parsers accept and normalize
    'http://2130706433/',
    'http://0x7f.1/',
    'http://127.1/',
  ])('%s is local', (url) => {
    expect(isPrivateHost(hostOf(url))).toBe(true);
  });

  it.each([
    'https://example.com/',
    'http://8.8.8.8/',
    'http://172.15.255.255/',
    'http://172.32.0.1/',
    'http://192.169.0.1/',
    'http://11.0.0.1/',
    'http://[2001:db8::1]/',
    'http://[fec0::1]/',
    'http://[::ffff:8.8.8.8]/',
    'https://localhost.example.com/',
    'https://local.example.com/',
    'https://mylocal/',
  ])('%s is not', (url) => {
    expect(isPrivateHost(hostOf(url))).toBe(false);
  });
});

describe('deciding about a link followed out of the app', () => {
  it('opens public web links, asks for local ones, refuses everything else', () => {
    expect(decideExternalLink('https://acme.test/start')).toEqual({
      action: 'open',
      destination: 'https://acme.test/start',
    });
    expect(decideExternalLink('http://192.168.0.1/reset').action).toBe('ask');
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'mailto:a@b.test', 'not a url']) {
      expect(decideExternalLink(url).action).toBe('refuse');
    }
  });

  it('judges a click-tracking link by the link it redirects to', () => {
    const codec = createCodec([generateKey()]);
    const base = 'http://127.0.0.1:8026';
    const tracked = (url: string) => trackingUrl(base, 'click', codec.mint({ kind: 'click', url }).token);
    const policy = { trackedDestination: trackedLinkDestination(codec, () => [base]) };

    expect(decideExternalLink(tracked('https://acme.test/a'), policy)).toEqual({
      action: 'open',
      destination: 'https://acme.test/a',
    });
    expect(decideExternalLink(tracked('http://10.0.0.5/reset'), policy)).toEqual({
      action: 'ask',
      destination: 'http://10.0.0.5/reset',
    });
    // Not ours (another key, another base, not a click): judged as the loopback URL it is.
    const foreign = createCodec([generateKey()]);
    const forged = trackingUrl(
      base,
      'click',
      foreign.mint({ kind: 'click', url: 'https://acme.test/' }).token,
    );
    expect(decideExternalLink(forged, policy)).toEqual({ action: 'ask', destination: forged });
    const open = trackingUrl(base, 'open', codec.mint({ kind: 'open' }).token);
    expect(decideExternalLink(open, policy).action).toBe('ask');
    const elsewhere = trackingUrl(
      'http://127.0.0.1:9999',
      'click',
      codec.mint({ kind: 'click', url: 'https://a.test/' }).token,
    );
    expect(decideExternalLink(elsewhere, policy).action).toBe('ask');
  });
});

describe('opening a link through the guard', () => {
  function opener(response: number) {
    const opened: string[] = [];
    const dialogs: { message: string; detail?: string }[] = [];
    const { logger } = recordingLogger();
    const open = guardedOpenExternal({
      shell: {
        openExternal: async (url: string) => {
          opened.push(url);
        },
      },
      dialog: {
        showMessageBox: (async (options: { message: string; detail?: string }) => {
          dialogs.push(options);
          return { response, checkboxChecked: false };
        }) as never,
      },
      logger,
    });
    return { open, opened, dialogs };
  }

  it('opens a public link without asking', async () => {
    const { open, opened, dialogs } = opener(1);
    await open('https://acme.test/welcome');
    expect(opened).toEqual(['https://acme.test/welcome']);
    expect(dialogs).toEqual([]);
  });

  it('shows a local link in a dialog and opens it only when the user agrees', async () => {
    const declined = opener(1);
    await declined.open('http://localhost:3000/admin/delete');
    expect(declined.dialogs).toHaveLength(1);
    expect(declined.dialogs[0]!.detail).toContain('http://localhost:3000/admin/delete');
    expect(declined.opened).toEqual([]);

    const agreed = opener(0);
    await agreed.open('http://[fe80::1]/');
    expect(agreed.opened).toEqual(['http://[fe80::1]/']);
  });

  it('refuses what is not a web link', async () => {
    const { open, opened, dialogs } = opener(0);
    await expect(open('file:///etc/passwd')).rejects.toThrow(/only http\(s\)/);
    expect(opened).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
