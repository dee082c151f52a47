import type { BrowserWindowConstructorOptions } from 'electron';
import type { WindowState } from './window-state.js';

/** Below this the three panes of the inbox no longer fit side by side. */
export const MIN_WINDOW_WIDTH = 800;
export const MIN_WINDOW_HEIGHT = 500;

export interface MainWindowInput {
  state: WindowState;
  /** Absolute path of the built preload (out/preload/index.cjs). */
  preload: string;
  icon?: string;
}

/**
 * The main window's options. The page is the same UI a browser gets from `mailbeacon serve`, so it needs no Node:
 * the renderer is sandboxed and isolated, and only the preload's named functions reach the main process.
 */
export function mainWindowOptions({
  state,
  preload,
  icon,
}: MainWindowInput): BrowserWindowConstructorOptions {
  return {
    x: state.x,
    y: state.y,
    width: state.width,
    height: state.height,
    minWidth: MIN_WINDOW_WIDTH,
    minHeight: MIN_WINDOW_HEIGHT,
    title: 'Mailbeacon',
    icon,
    // Shown on 'ready-to-show', so the user never sees an empty white frame.
    show: false,
    autoHideMenuBar: false,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      // Dropping a file on the window would navigate to it; the app has nothing to do with dropped files.
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
    },
  };
}
