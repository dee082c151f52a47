import type { App, HandlerDetails, WebContents, WindowOpenHandlerResponse } from 'electron';
import type { Logger } from '../logger.js';
import { originOf } from './content-security.js';

export interface NavigationPolicyOptions {
  /** The system browser (`shell.openExternal`). */
  openExternal(url: string): Promise<void>;
  logger: Logger;
}

/** Only web pages go to the system browser: `file:`, `javascript:`, custom protocol handlers and the like never leave. */
export function isWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * `window.open` and `target=_blank` (a clicked link in a mail preview, which goes through the tracking redirect):
 * web URLs open in the system browser, nothing ever opens a new Electron window.
 */
export function windowOpenPolicy(
  options: NavigationPolicyOptions,
): (details: HandlerDetails) => WindowOpenHandlerResponse {
  return ({ url }) => {
    if (isWebUrl(url)) openOutside(url, options);
    else options.logger.warn(`refused to open ${describe(url)} from the window`);
    return { action: 'deny' };
  };
}

/**
 * The window shows one page for its whole life (the UI routes in-page), so every navigation the page itself starts is
 * refused; a web link the user followed is handed to the system browser instead of being lost.
 */
export function willNavigatePolicy(
  appOrigins: string[],
  options: NavigationPolicyOptions,
): (event: { preventDefault(): void }, url: string) => void {
  return (event, url) => {
    event.preventDefault();
    if (isWebUrl(url) && !appOrigins.includes(new URL(url).origin)) openOutside(url, options);
    else options.logger.warn(`refused navigation to ${describe(url)}`);
  };
}

/** What a frame inside the page may show: documents of the app's own origins and the empty or srcdoc document. */
function isFrameDocument(url: string, appOrigins: string[]): boolean {
  if (url === 'about:srcdoc' || url === 'about:blank') return true;
  const origin = originOf(url);
  return origin !== null && appOrigins.includes(origin);
}

/**
 * Frames inside the page — mail previews are `srcdoc` iframes — keep showing what the page put there. A link in a
 * mail that would navigate its preview frame (one without `target`) opens in the system browser instead, through
 * the tracking redirect like any click; everything else is refused. The main frame is `will-navigate`'s business.
 */
export function willFrameNavigatePolicy(
  appOrigins: string[],
  options: NavigationPolicyOptions,
): (details: { url: string; isMainFrame: boolean; preventDefault(): void }) => void {
  return (details) => {
    if (details.isMainFrame || isFrameDocument(details.url, appOrigins)) return;
    details.preventDefault();
    if (isWebUrl(details.url)) openOutside(details.url, options);
    else options.logger.warn(`refused frame navigation to ${describe(details.url)}`);
  };
}

/** Contents the policies are on already: the window's own, and the app-wide guard's, may both apply them. */
const guarded = new WeakSet<object>();

/** Applies the policies to a window's contents, and refuses `<webview>` outright. Applying them twice is a no-op. */
export function guardNavigation(
  contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>,
  appOrigins: string[],
  options: NavigationPolicyOptions,
): void {
  if (guarded.has(contents)) return;
  guarded.add(contents);
  contents.setWindowOpenHandler(windowOpenPolicy(options));
  contents.on('will-navigate', willNavigatePolicy(appOrigins, options));
  contents.on('will-frame-navigate', willFrameNavigatePolicy(appOrigins, options));
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/**
 * The same policies on every web contents the app will ever create, not only the main window's: a webview's guest,
 * a devtools or a future window cannot navigate, open windows or attach webviews either. Install before any window.
 */
export function guardAllWebContents(
  app: Pick<App, 'on'>,
  appOrigins: string[],
  options: NavigationPolicyOptions,
): void {
  app.on('web-contents-created', (_event, contents) => guardNavigation(contents, appOrigins, options));
}

function openOutside(url: string, { openExternal, logger }: NavigationPolicyOptions): void {
  openExternal(url).catch((err: Error) =>
    logger.warn(`could not open ${describe(url)} in the browser: ${err.message}`),
  );
}

/** URLs can be long (tracking tokens) or hostile; logs get the scheme and host only. */
function describe(url: string): string {
  try {
    const u = new URL(url);
    return u.host ? `${u.protocol}//${u.host}/…` : `a ${u.protocol} URL`;
  } catch {
    return 'an invalid URL';
  }
}
