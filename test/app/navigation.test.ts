import { describe, expect, it } from 'vitest';
import { guardAllWebContents, guardNavigation, isWebUrl } from '../../src-main/app/navigation.js';
import { recordingLogger, StandInApp, StandInEvent, StandInWebContents } from './stand-ins.js';

const APP = 'http://127.0.0.1:8025';

function guarded() {
  const contents = new StandInWebContents();
  const opened: string[] = [];
  const { logger, lines } = recordingLogger();
  guardNavigation(contents as never, [APP], {
    openExternal: async (url) => {
      opened.push(url);
    },
    logger,
  });
  const navigate = (url: string) => {
    const event = new StandInEvent();
    contents.emit('will-navigate', event, url);
    return event;
  };
  const open = (url: string) =>
    contents.windowOpenHandler!({ url, frameName: '', features: '', disposition: 'new-window' });
  return { contents, opened, lines, navigate, open };
}

describe('navigation policy', () => {
  it('refuses every navigation the page starts, even to its own origin', () => {
    const { navigate, opened } = guarded();
    expect(navigate(`${APP}/elsewhere`).defaultPrevented).toBe(true);
    expect(navigate('file:///etc/passwd').defaultPrevented).toBe(true);
    expect(opened).toEqual([]);
  });

  it('hands a followed web link to the system browser instead', () => {
    const { navigate, opened } = guarded();
    expect(navigate('https://acme.test/start').defaultPrevented).toBe(true);
    expect(opened).toEqual(['https://acme.test/start']);
  });

  it('opens http(s) window.open targets in the system browser and denies the window', () => {
    const { open, opened } = guarded();
    expect(open('https://example.com/a?b=1')).toEqual({ action: 'deny' });
    expect(open('http://127.0.0.1:8026/c?t=abc')).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://example.com/a?b=1', 'http://127.0.0.1:8026/c?t=abc']);
  });

  it('denies other schemes without opening anything', () => {
    const { open, opened, lines } = guarded();
    for (const url of [
      'javascript:alert(1)',
      'file:///etc/passwd',
      'data:text/html,hi',
      'mailto:a@b.test',
      'not a url',
    ]) {
      expect(open(url)).toEqual({ action: 'deny' });
    }
    expect(opened).toEqual([]);
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(5);
    expect(lines.map((l) => l.message).join('\n')).not.toContain('alert(1)');
  });

  it('lets frames show srcdoc, blank and app documents, sends followed web links out, refuses the rest', () => {
    const { contents, opened } = guarded();
    const frameNavigate = (url: string, isMainFrame = false) => {
      const event = Object.assign(new StandInEvent(), { url, isMainFrame });
      contents.emit('will-frame-navigate', event);
      return event.defaultPrevented;
    };
    expect(frameNavigate('about:srcdoc')).toBe(false);
    expect(frameNavigate('about:blank')).toBe(false);
    expect(frameNavigate(`${APP}/api/v1/message/abc/part/2`)).toBe(false);
    expect(frameNavigate(`blob:${APP}/0b9d6c1e-1111-4222-8333-944445555666`)).toBe(false);

    expect(frameNavigate('http://127.0.0.1:8026/c?t=token')).toBe(true);
    expect(frameNavigate('https://acme.test/')).toBe(true);
    expect(opened).toEqual(['http://127.0.0.1:8026/c?t=token', 'https://acme.test/']);

    expect(frameNavigate('data:text/html,<script>alert(1)</script>')).toBe(true);
    expect(frameNavigate('file:///etc/passwd')).toBe(true);
    expect(frameNavigate('javascript:alert(1)')).toBe(true);
    expect(opened).toHaveLength(2);

    // The main frame is decided by will-navigate alone.
    expect(frameNavigate('https://acme.test/', true)).toBe(false);
    expect(opened).toHaveLength(2);
  });

  it('refuses <webview>', () => {
    const { contents } = guarded();
    const event = new StandInEvent();
    contents.emit('will-attach-webview', event);
    expect(event.defaultPrevented).toBe(true);
  });

  it('guards every web contents the app creates, once each', () => {
    const app = new StandInApp();
    const opened: string[] = [];
    const { logger } = recordingLogger();
    const options = {
      openExternal: async (url: string) => {
        opened.push(url);
      },
      logger,
    };
    guardAllWebContents(app as never, [APP], options);
    const guest = new StandInWebContents();
    app.emit('web-contents-created', new StandInEvent(), guest);
    // The window applies the rules to its own contents too: that must not double them.
    guardNavigation(guest as never, [APP], options);

    const navigation = new StandInEvent();
    guest.emit('will-navigate', navigation, 'https://acme.test/');
    expect(navigation.defaultPrevented).toBe(true);
    expect(opened).toEqual(['https://acme.test/']);
    expect(guest.windowOpenHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    const webview = new StandInEvent();
    guest.emit('will-attach-webview', webview);
    expect(webview.defaultPrevented).toBe(true);
    expect(guest.handlers.get('will-navigate')).toHaveLength(1);
  });

  it('knows what a web URL is', () => {
    expect(isWebUrl('HTTPS://EXAMPLE.COM')).toBe(true);
    expect(isWebUrl('javascript://%0Aalert(1)')).toBe(false);
    expect(isWebUrl('')).toBe(false);
  });
});
