import type { MenuItemConstructorOptions } from 'electron';

export interface TrayState {
  /** False before the sandbox has started (or after it stopped): nothing to pause or copy then. */
  running: boolean;
  unread: number;
  capturePaused: boolean;
  /** `127.0.0.1:1025`, or '' while not running. */
  smtpAddress: string;
}

export interface TrayActions {
  openWindow(): void;
  setCapturePaused(paused: boolean): void;
  copySmtpAddress(): void;
  quit(): void;
}

/** The tray's context menu for the current state. Rebuilt on every change; Electron menus are not reactive. */
export function trayMenuTemplate(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { id: 'open', label: 'Open Mailbeacon', click: () => actions.openWindow() },
    { id: 'status', label: statusLine(state), enabled: false },
    { type: 'separator' },
    {
      id: 'pause',
      label: state.capturePaused ? 'Resume capture' : 'Pause capture',
      toolTip: state.capturePaused ? undefined : 'New mail is refused (421) until capture resumes',
      enabled: state.running,
      click: () => actions.setCapturePaused(!state.capturePaused),
    },
    {
      id: 'copy-smtp',
      label: state.smtpAddress ? `Copy SMTP address (${state.smtpAddress})` : 'Copy SMTP address',
      enabled: state.running && state.smtpAddress !== '',
      click: () => actions.copySmtpAddress(),
    },
    { type: 'separator' },
    { id: 'quit', label: 'Quit Mailbeacon', click: () => actions.quit() },
  ];
}

/** Hover text: what the app is doing right now. */
export function trayTooltip(state: TrayState): string {
  return `Mailbeacon — ${statusLine(state)}`;
}

/** Text beside the icon in the macOS menu bar: the unread count, or nothing. */
export function trayTitle(state: TrayState): string {
  return state.running && state.unread > 0 ? String(state.unread) : '';
}

function statusLine(state: TrayState): string {
  if (!state.running) return 'not running';
  const unread = state.unread === 1 ? '1 unread mail' : `${state.unread} unread mails`;
  return state.capturePaused ? `${unread} · capture paused` : `${unread} · SMTP ${state.smtpAddress}`;
}
