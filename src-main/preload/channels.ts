// The named IPC channels between the preload and the main process. One list, imported by both sides, so a
// renamed channel cannot leave a handler without a caller. Nothing else crosses the bridge.
export const IPC_CHANNELS = {
  appVersion: 'mailbeacon:app-version',
  openExternal: 'mailbeacon:open-external',
  revealDataFolder: 'mailbeacon:reveal-data-folder',
  getNotificationPrefs: 'mailbeacon:get-notification-prefs',
  setNotificationPrefs: 'mailbeacon:set-notification-prefs',
} as const;

export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS];

/** Which desktop notifications the user wants; each can be turned off on its own. */
export interface NotificationPrefs {
  /** A mail was caught. */
  newMail: boolean;
  /** A caught mail was opened for the first time (its tracking pixel loaded). */
  firstOpen: boolean;
  /** A link in a caught mail was clicked for the first time. */
  firstClick: boolean;
}

/** What the window sees as `window.mailbeacon` (only in the desktop app; the browser UI must not rely on it). */
export interface MailbeaconBridge {
  appVersion(): Promise<string>;
  /** Opens an http(s) URL in the system browser; other schemes are refused. */
  openExternal(url: string): Promise<void>;
  revealDataFolder(): Promise<void>;
  getNotificationPrefs(): Promise<NotificationPrefs>;
  setNotificationPrefs(prefs: NotificationPrefs): Promise<NotificationPrefs>;
}
