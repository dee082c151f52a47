// The named IPC channels between the preload and the main process. One list, imported by both sides, so a
// renamed channel cannot leave a handler without a caller. Nothing else crosses the bridge.
export const IPC_CHANNELS = {
  appVersion: 'mailbeacon:app-version',
  openExternal: 'mailbeacon:open-external',
  revealDataFolder: 'mailbeacon:reveal-data-folder',
  getNotificationPrefs: 'mailbeacon:get-notification-prefs',
  setNotificationPrefs: 'mailbeacon:set-notification-prefs',
  getSmtpTlsPrefs: 'mailbeacon:get-smtp-tls-prefs',
  setSmtpTlsPrefs: 'mailbeacon:set-smtp-tls-prefs',
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

/** How the desktop app's SMTP listener speaks TLS: the choices `serve` takes as flags, applied at the next start. */
export interface SmtpTlsPrefs {
  /** STARTTLS: off (every client's defaults deliver), with a generated self-signed certificate, or with the user's. */
  starttls: 'off' | 'self-signed' | 'certificate';
  /** PEM files of the user's certificate (`starttls: 'certificate'`). */
  certFile: string;
  keyFile: string;
  /** Answer 530 to AUTH and MAIL before STARTTLS. */
  requireTls: boolean;
  /** `ADDR:PORT` of an implicit TLS (SMTPS) listener, or empty for none. */
  smtps: string;
}

/** What the window sees as `window.mailbeacon` (only in the desktop app; the browser UI must not rely on it). */
export interface MailbeaconBridge {
  appVersion(): Promise<string>;
  /** Opens an http(s) URL in the system browser; other schemes are refused. */
  openExternal(url: string): Promise<void>;
  revealDataFolder(): Promise<void>;
  getNotificationPrefs(): Promise<NotificationPrefs>;
  setNotificationPrefs(prefs: NotificationPrefs): Promise<NotificationPrefs>;
  getSmtpTlsPrefs(): Promise<SmtpTlsPrefs>;
  /** Saves the choices for the next start; rejects with the `[smtp] …` reason when they could not start. */
  setSmtpTlsPrefs(prefs: SmtpTlsPrefs): Promise<SmtpTlsPrefs>;
}
