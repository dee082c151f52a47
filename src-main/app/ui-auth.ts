import { originOf } from './content-security.js';

/** The parts of Electron's `app.on('login')` listener arguments that decide the answer. */
export type LoginListener = (
  event: { preventDefault(): void },
  webContents: unknown,
  details: { url: string },
  authInfo: { isProxy: boolean },
  callback: (username?: string, password?: string) => void,
) => void;

/**
 * With `--ui-auth user:pass` (or MB_UI_AUTH) the sandbox asks for HTTP basic auth, which would make the desktop
 * window prompt its own user for a password the app already knows. The window's own origins get the credentials;
 * proxies and every other site get Electron's default (the request is cancelled).
 */
export function uiAuthResponder(
  credentials: { user: string; pass: string } | undefined,
  appOrigins: string[],
): LoginListener {
  return (event, _webContents, details, authInfo, callback) => {
    if (!credentials || authInfo.isProxy) return;
    const origin = originOf(details.url);
    if (!origin || !appOrigins.includes(origin)) return;
    event.preventDefault();
    callback(credentials.user, credentials.pass);
  };
}
