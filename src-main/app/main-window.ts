import type { BrowserWindow as BrowserWindowType, Screen, Shell, WebContents } from 'electron';
import type { Logger } from '../logger.js';
import { guardNavigation } from './navigation.js';
import { mainWindowOptions } from './window-options.js';
import { loadWindowState, trackWindowState } from './window-state.js';

export interface MainWindowOptions {
  BrowserWindow: typeof BrowserWindowType;
  screen: Pick<Screen, 'getAllDisplays'>;
  shell: Pick<Shell, 'openExternal'>;
  /** The page: the sandbox's own HTTP listener, the same URL a browser uses (or the dev server). */
  url: string;
  appOrigins: string[];
  preload: string;
  icon?: string;
  stateFile: string;
  logger: Logger;
}

/**
 * The one window. Closing it destroys it (the renderer's memory goes back) while the app keeps catching mail in
 * the tray; showing it again creates a fresh one at the remembered position.
 */
export class MainWindow {
  private window: BrowserWindowType | null = null;

  constructor(private readonly options: MainWindowOptions) {}

  /** The window's webContents, for the IPC sender check; null while there is no window. */
  get contents(): WebContents | null {
    return this.window && !this.window.isDestroyed() ? this.window.webContents : null;
  }

  show(): void {
    const window = this.window && !this.window.isDestroyed() ? this.window : this.create();
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  }

  /**
   * Shows an in-app route (`/settings`) without reloading. The UI routes on the URL fragment (`#/settings`), so
   * deep links work whether the page comes from the desktop app or from a browser; changing the fragment is an
   * in-page navigation, which the navigation policy leaves alone.
   */
  showRoute(route: string): void {
    this.show();
    const contents = this.contents;
    if (!contents) return;
    const go = () =>
      void contents
        .executeJavaScript(`location.hash = ${JSON.stringify(`#${route}`)};`)
        .catch((err: Error) => this.options.logger.warn(`could not show ${route}: ${err.message}`));
    if (contents.isLoading()) contents.once('did-finish-load', go);
    else go();
  }

  /** Shows a page of the UI's own origin (an inbox's `/inbox/NAME/`), loading it in the window. */
  showPage(url: string): void {
    this.show();
    this.contents
      ?.loadURL(url)
      .catch((err: Error) => this.options.logger.warn(`could not show ${url}: ${err.message}`));
  }

  private create(): BrowserWindowType {
    const { BrowserWindow, screen, shell, url, appOrigins, preload, icon, stateFile, logger } = this.options;
    const state = loadWindowState(
      stateFile,
      screen.getAllDisplays().map((d) => d.workArea),
    );
    const window = new BrowserWindow(mainWindowOptions({ state, preload, icon }));
    if (state.maximized) window.maximize();
    trackWindowState(window, stateFile);
    guardNavigation(window.webContents, appOrigins, { openExternal: (u) => shell.openExternal(u), logger });
    window.once('ready-to-show', () => window.show());
    window.on('closed', () => {
      if (this.window === window) this.window = null;
    });
    window
      .loadURL(url)
      .catch((err: Error) => logger.error(`could not load the UI from ${url}: ${err.message}`));
    this.window = window;
    return window;
  }
}
