import type { MenuItemConstructorOptions } from 'electron';

export interface TrayState {
  /** False before the sandbox has started (or after it stopped): nothing to pause or copy then. */
  running: boolean;
  unread: number;
  capturePaused: boolean;
  /** `127.0.0.1:1025`, or '' while not running. */
  smtpAddress: string;
  /** Every inbox with its unread count, by name; the menu lists them when there is more than one. */
  inboxes?: TrayInbox[];
}

export interface TrayInbox {
  name: string;
  unread: number;
  /** Closed by `--inbox-auth`: the window asks for its credentials. */
  closed?: boolean;
}

/** A menu is no list view: beyond this many inboxes the rest are one entry that opens the window. */
export const TRAY_MAX_INBOXES = 15;

export interface TrayActions {
  openWindow(): void;
  setCapturePaused(paused: boolean): void;
  copySmtpAddress(): void;
  /** Opens the window on one inbox (`/inbox/NAME/`). */
  openInbox?(name: string): void;
  quit(): void;
}

/** The tray's context menu for the current state. Rebuilt on every change; Electron menus are not reactive. */
export function trayMenuTemplate(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { id: 'open', label: 'Open Mailbeacon', click: () => actions.openWindow() },
    { id: 'status', label: statusLine(state), enabled: false },
    ...inboxItems(state, actions),
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

/** One entry per inbox (with its unread count), when there is more than one; with one, "Open" is the same. */
function inboxItems(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  const inboxes = state.inboxes ?? [];
  if (!state.running || inboxes.length < 2) return [];
  const shown = inboxes.slice(0, TRAY_MAX_INBOXES);
  const rest = inboxes.length - shown.length;
  return [
    { type: 'separator' },
    ...shown.map((inbox): MenuItemConstructorOptions => ({
      id: `inbox:${inbox.name}`,
      label: `${inbox.name}${inbox.closed ? ' (closed)' : ''}${inbox.unread > 0 ? ` — ${inbox.unread} unread` : ''}`,
      click: () => (actions.openInbox ? actions.openInbox(inbox.name) : actions.openWindow()),
    })),
    ...(rest > 0
      ? [{ id: 'inbox-more', label: `${rest} more inboxes…`, click: () => actions.openWindow() }]
      : []),
  ];
}

/** Where the window opens an inbox: the UI under `/inbox/NAME/`, from the UI's own URL. */
export function inboxUrl(uiUrl: string, name: string): string {
  return new URL(`/inbox/${encodeURIComponent(name)}/`, uiUrl).href;
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
