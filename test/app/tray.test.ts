import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { AppTray, TRAY_REFRESH_DELAY_MS } from '../../src-main/app/tray.js';
import type { TrayState } from '../../src-main/app/tray-menu.js';

/** Records what the app sets on the tray icon. */
class StandInTray {
  static last: StandInTray;
  tooltips: string[] = [];
  titles: string[] = [];
  menus: MenuItemConstructorOptions[][] = [];
  destroyed = false;
  constructor(readonly image: unknown) {
    StandInTray.last = this;
  }
  setToolTip(tooltip: string) {
    this.tooltips.push(tooltip);
  }
  setTitle(title: string) {
    this.titles.push(title);
  }
  setContextMenu(menu: { template: MenuItemConstructorOptions[] }) {
    this.menus.push(menu.template);
  }
  isDestroyed() {
    return this.destroyed;
  }
  destroy() {
    this.destroyed = true;
  }
}

afterEach(() => vi.useRealTimers());

function tray(state: TrayState) {
  const current = { state };
  const appTray = new AppTray({
    Tray: StandInTray as never,
    Menu: { buildFromTemplate: (template: MenuItemConstructorOptions[]) => ({ template }) } as never,
    icon: 'icon' as never,
    state: () => current.state,
    actions: {
      openWindow: () => undefined,
      setCapturePaused: () => undefined,
      copySmtpAddress: () => undefined,
      quit: () => undefined,
    },
  });
  return { appTray, current, icon: StandInTray.last };
}

const base: TrayState = { running: true, unread: 0, capturePaused: false, smtpAddress: '127.0.0.1:1025' };

describe('tray icon', () => {
  it('shows the state at once when created', () => {
    const { icon } = tray(base);
    expect(icon.image).toBe('icon');
    expect(icon.tooltips).toEqual(['Mailbeacon — 0 unread mails · SMTP 127.0.0.1:1025']);
    expect(icon.menus).toHaveLength(1);
  });

  it('coalesces a burst of changes into one update with the latest count', () => {
    vi.useFakeTimers();
    const { appTray, current, icon } = tray(base);
    for (let unread = 1; unread <= 1000; unread++) {
      current.state = { ...base, unread };
      appTray.refresh();
    }
    expect(icon.tooltips).toHaveLength(1);
    vi.advanceTimersByTime(TRAY_REFRESH_DELAY_MS);
    expect(icon.tooltips).toEqual([
      'Mailbeacon — 0 unread mails · SMTP 127.0.0.1:1025',
      'Mailbeacon — 1000 unread mails · SMTP 127.0.0.1:1025',
    ]);
    expect(icon.titles.at(-1)).toBe('1000');
  });

  it('updates at once on refreshNow (pause toggled from its own menu)', () => {
    const { appTray, current, icon } = tray(base);
    current.state = { ...base, capturePaused: true };
    appTray.refreshNow();
    expect(icon.tooltips.at(-1)).toBe('Mailbeacon — 0 unread mails · capture paused');
    expect(icon.menus.at(-1)!.find((i) => i.id === 'pause')!.label).toBe('Resume capture');
  });

  it('does nothing after it was destroyed', () => {
    vi.useFakeTimers();
    const { appTray, icon } = tray(base);
    appTray.refresh();
    appTray.destroy();
    vi.advanceTimersByTime(TRAY_REFRESH_DELAY_MS);
    expect(icon.tooltips).toHaveLength(1);
  });
});
