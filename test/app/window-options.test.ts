import { describe, expect, it } from 'vitest';
import type { HeadersReceivedResponse, OnHeadersReceivedListenerDetails } from 'electron';
import { mainWindowOptions, MIN_WINDOW_HEIGHT, MIN_WINDOW_WIDTH } from '../../src-main/app/window-options.js';
import {
  APP_CSP,
  DEV_CSP,
  cspHeadersListener,
  installContentSecurityPolicy,
} from '../../src-main/app/content-security.js';

describe('main window options', () => {
  const options = mainWindowOptions({
    state: { x: 40, y: 60, width: 1000, height: 700, maximized: false },
    preload: '/app/out/preload/index.cjs',
    icon: '/app/resources/icon.png',
  });

  it('locks the renderer down', () => {
    expect(options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    });
  });

  it('uses the remembered bounds and waits for ready-to-show', () => {
    expect(options).toMatchObject({
      x: 40,
      y: 60,
      width: 1000,
      height: 700,
      show: false,
      title: 'Mailbeacon',
    });
    expect(options.minWidth).toBe(MIN_WINDOW_WIDTH);
    expect(options.minHeight).toBe(MIN_WINDOW_HEIGHT);
    expect(options.icon).toBe('/app/resources/icon.png');
  });
});

describe('content security policy', () => {
  const targets = [
    { origin: 'http://127.0.0.1:8025', policy: APP_CSP },
    { origin: 'http://localhost:5173', policy: DEV_CSP },
  ];

  function respond(url: string, responseHeaders?: Record<string, string[]>): HeadersReceivedResponse {
    let response: HeadersReceivedResponse | undefined;
    const details = { url, responseHeaders, resourceType: 'mainFrame' } as OnHeadersReceivedListenerDetails;
    cspHeadersListener(targets)(details, (r) => (response = r));
    if (!response) throw new Error('the listener never answered');
    return response;
  }

  it('adds the policy to the app origin when the server sent none', () => {
    const response = respond('http://127.0.0.1:8025/', { 'Content-Type': ['text/html'] });
    expect(response.responseHeaders).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': [APP_CSP],
    });
    expect(APP_CSP).toContain("script-src 'self';");
    expect(APP_CSP).toContain("object-src 'none'");
    expect(APP_CSP).toContain("frame-ancestors 'none'");
    expect(APP_CSP).not.toContain('unsafe-eval');
  });

  it("adds the app's policy beside the server's own, whatever the header's case", () => {
    const response = respond('http://127.0.0.1:8025/', {
      'content-security-policy': ["default-src 'none'"],
      'X-Frame-Options': ['DENY'],
    });
    // Two policies are both enforced: the server's may narrow the app's, never widen it.
    expect(response.responseHeaders).toEqual({
      'X-Frame-Options': ['DENY'],
      'Content-Security-Policy': ["default-src 'none'", APP_CSP],
    });
  });

  it("does not repeat the app's policy when the server already sends it", () => {
    const response = respond('http://127.0.0.1:8025/', { 'Content-Security-Policy': [APP_CSP] });
    expect(response.responseHeaders).toEqual({ 'Content-Security-Policy': [APP_CSP] });
  });

  it('leaves other origins alone (same host, other port included)', () => {
    expect(respond('http://127.0.0.1:8026/o?t=x', {}).responseHeaders).toBeUndefined();
    expect(respond('https://example.com/', {}).responseHeaders).toBeUndefined();
  });

  it('gives only the dev server the looser dev policy', () => {
    const response = respond('http://localhost:5173/', {});
    expect(response.responseHeaders?.['Content-Security-Policy']).toEqual([DEV_CSP]);
    expect(DEV_CSP).toContain("'unsafe-inline'");
    expect(APP_CSP).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it('registers on the session', () => {
    const registered: unknown[] = [];
    installContentSecurityPolicy(
      { webRequest: { onHeadersReceived: (l: unknown) => registered.push(l) } } as never,
      targets,
    );
    expect(registered).toHaveLength(1);
    expect(typeof registered[0]).toBe('function');
  });
});
