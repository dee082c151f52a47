// Runs in the window before the UI, with contextIsolation and the renderer sandbox on. It hands the page a few
// named functions and nothing else: never ipcRenderer itself, so the page cannot reach channels it was not given.
import { contextBridge, ipcRenderer } from 'electron';
import {
  IPC_CHANNELS,
  type MailbeaconBridge,
  type NotificationPrefs,
  type SmtpTlsPrefs,
} from './channels.js';

const bridge: MailbeaconBridge = {
  appVersion: () => ipcRenderer.invoke(IPC_CHANNELS.appVersion),
  openExternal: (url: string) => ipcRenderer.invoke(IPC_CHANNELS.openExternal, String(url)),
  revealDataFolder: () => ipcRenderer.invoke(IPC_CHANNELS.revealDataFolder),
  getNotificationPrefs: () => ipcRenderer.invoke(IPC_CHANNELS.getNotificationPrefs),
  setNotificationPrefs: (prefs: NotificationPrefs) =>
    ipcRenderer.invoke(IPC_CHANNELS.setNotificationPrefs, {
      newMail: prefs?.newMail,
      firstOpen: prefs?.firstOpen,
      firstClick: prefs?.firstClick,
    }),
  getSmtpTlsPrefs: () => ipcRenderer.invoke(IPC_CHANNELS.getSmtpTlsPrefs),
  setSmtpTlsPrefs: (prefs: SmtpTlsPrefs) =>
    ipcRenderer.invoke(IPC_CHANNELS.setSmtpTlsPrefs, {
      starttls: prefs?.starttls,
      certFile: prefs?.certFile,
      keyFile: prefs?.keyFile,
      requireTls: prefs?.requireTls,
      smtps: prefs?.smtps,
    }),
};

contextBridge.exposeInMainWorld('mailbeacon', bridge);
