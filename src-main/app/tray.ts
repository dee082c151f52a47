import type { Menu as MenuType, NativeImage, Tray as TrayType } from 'electron';
import { trayMenuTemplate, trayTitle, trayTooltip, type TrayActions, type TrayState } from './tray-menu.js';

/**
 * A burst of mail (a test suite sending a thousand) would otherwise rebuild the menu a thousand times; the count is
 * current again within this delay.
 */
export const TRAY_REFRESH_DELAY_MS = 250;

export interface AppTrayOptions {
  Tray: typeof TrayType;
  Menu: Pick<typeof MenuType, 'buildFromTemplate'>;
  icon: NativeImage;
  state(): TrayState;
  actions: TrayActions;
}

/** The tray icon: unread count in the tooltip (and beside the icon on macOS), and the tray menu. */
export class AppTray {
  private readonly tray: TrayType;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: AppTrayOptions) {
    this.tray = new options.Tray(options.icon);
    this.refreshNow();
  }

  /** Schedules an update; call it on every change. */
  refresh(): void {
    this.timer ??= setTimeout(() => this.refreshNow(), TRAY_REFRESH_DELAY_MS);
  }

  refreshNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.tray.isDestroyed()) return;
    const state = this.options.state();
    this.tray.setToolTip(trayTooltip(state));
    this.tray.setTitle(trayTitle(state));
    this.tray.setContextMenu(
      this.options.Menu.buildFromTemplate(trayMenuTemplate(state, this.options.actions)),
    );
  }

  destroy(): void {
    clearTimeout(this.timer);
    this.tray.destroy();
  }
}
