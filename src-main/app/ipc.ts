import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import type { Logger } from '../logger.js';
import { IPC_CHANNELS, type NotificationPrefs, type SmtpTlsPrefs } from '../preload/channels.js';
import { originOf } from './content-security.js';
import { isWebUrl } from './navigation.js';
import { parseNotificationPrefs } from './notifications.js';
import { parseSmtpTlsPrefs } from './smtp-tls-prefs.js';

/** The part of an invoke event the sender check looks at. */
export type IpcCaller = Pick<IpcMainInvokeEvent, 'sender'> & {
  senderFrame: { url: string; parent: unknown } | null;
};

export interface SenderPolicy {
  /** The main window's webContents, or null while there is no window. */
  mainContents(): unknown;
  /** Origins the UI is loaded from: the sandbox's HTTP listener (and the dev server in development). */
  appOrigins: string[];
}

/**
 * A call is served only when it comes from the main window's top frame showing the app's own origin. A mail
 * preview iframe (opaque origin), a page the window was somehow navigated to, or another webContents gets nothing.
 */
export function isTrustedSender(event: IpcCaller, policy: SenderPolicy): boolean {
  const main = policy.mainContents();
  if (!main || event.sender !== main) return false;
  const frame = event.senderFrame;
  if (!frame || frame.parent) return false;
  const origin = originOf(frame.url);
  return origin !== null && policy.appOrigins.includes(origin);
}

/** What the window may ask of the main process. */
export interface DesktopApi {
  appVersion(): string;
  openExternal(url: string): Promise<void>;
  revealDataFolder(): Promise<void>;
  getNotificationPrefs(): NotificationPrefs;
  setNotificationPrefs(prefs: NotificationPrefs): NotificationPrefs;
  getSmtpTlsPrefs(): SmtpTlsPrefs;
  setSmtpTlsPrefs(prefs: SmtpTlsPrefs): Promise<SmtpTlsPrefs>;
}

/** Refusals carry the subsystem, like every error the app reports. */
export class IpcRefusedError extends Error {
  constructor(channel: string, reason: string) {
    super(`[app] ${channel}: ${reason}`);
    this.name = 'IpcRefusedError';
  }
}

/**
 * Registers one handler per named channel, each behind the sender check and each validating its arguments
 * (the page is the UI, but it also renders captured mail, so it is not trusted to send well-formed values).
 * Returns a function that removes the handlers again.
 */
export function registerIpcHandlers(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  policy: SenderPolicy,
  api: DesktopApi,
  logger: Logger,
): () => void {
  const handlers: Record<string, (...args: unknown[]) => unknown> = {
    [IPC_CHANNELS.appVersion]: () => api.appVersion(),
    [IPC_CHANNELS.openExternal]: (url) => {
      if (typeof url !== 'string' || !isWebUrl(url)) {
        throw new IpcRefusedError(IPC_CHANNELS.openExternal, 'only http(s) URLs open in the browser');
      }
      return api.openExternal(url);
    },
    [IPC_CHANNELS.revealDataFolder]: () => api.revealDataFolder(),
    [IPC_CHANNELS.getNotificationPrefs]: () => api.getNotificationPrefs(),
    [IPC_CHANNELS.setNotificationPrefs]: (prefs) => {
      const parsed = parseNotificationPrefs(prefs);
      if (!parsed)
        throw new IpcRefusedError(
          IPC_CHANNELS.setNotificationPrefs,
          'expected {newMail, firstOpen, firstClick} booleans',
        );
      return api.setNotificationPrefs(parsed);
    },
    [IPC_CHANNELS.getSmtpTlsPrefs]: () => api.getSmtpTlsPrefs(),
    [IPC_CHANNELS.setSmtpTlsPrefs]: (prefs) => {
      const parsed = parseSmtpTlsPrefs(prefs);
      if (!parsed)
        throw new IpcRefusedError(
          IPC_CHANNELS.setSmtpTlsPrefs,
          'expected {starttls, certFile, keyFile, requireTls, smtps}',
        );
      return api.setSmtpTlsPrefs(parsed);
    },
  };
  for (const [channel, handler] of Object.entries(handlers)) {
    ipcMain.handle(channel, (event, ...args: unknown[]) => {
      if (!isTrustedSender(event as IpcCaller, policy)) {
        logger.warn(
          `refused ${channel} from ${originOf((event as IpcCaller).senderFrame?.url ?? '') ?? 'an opaque or unknown origin'}`,
        );
        throw new IpcRefusedError(channel, 'caller is not the Mailbeacon window');
      }
      return handler(...args);
    });
  }
  return () => {
    for (const channel of Object.keys(handlers)) ipcMain.removeHandler(channel);
  };
}
