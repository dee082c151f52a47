import type { MenuItemConstructorOptions } from 'electron';

export interface AppMenuActions {
  about(): void;
  preferences(): void;
  quit(): void;
}

/**
 * The native menu. macOS puts About, Preferences and Quit under the app's own menu; elsewhere they go under File
 * and Help. The Edit menu is what makes copy and paste work in text fields on macOS.
 */
export function appMenuTemplate(
  platform: NodeJS.Platform,
  actions: AppMenuActions,
  dev = false,
): MenuItemConstructorOptions[] {
  const about: MenuItemConstructorOptions = {
    id: 'about',
    label: 'About Mailbeacon',
    click: () => actions.about(),
  };
  const preferences: MenuItemConstructorOptions = {
    id: 'preferences',
    label: platform === 'darwin' ? 'Settings…' : 'Preferences…',
    accelerator: 'CmdOrCtrl+,',
    click: () => actions.preferences(),
  };
  const quit: MenuItemConstructorOptions = {
    id: 'quit',
    label: 'Quit Mailbeacon',
    accelerator: 'CmdOrCtrl+Q',
    click: () => actions.quit(),
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      { role: 'reload' },
      ...(dev ? [{ role: 'toggleDevTools' } as const] : []),
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  const edit: MenuItemConstructorOptions = { role: 'editMenu' };
  if (platform === 'darwin') {
    return [
      {
        label: 'Mailbeacon',
        submenu: [
          about,
          { type: 'separator' },
          preferences,
          { type: 'separator' },
          { role: 'services' },
          { type: 'separator' },
          { role: 'hide' },
          { role: 'hideOthers' },
          { role: 'unhide' },
          { type: 'separator' },
          quit,
        ],
      },
      edit,
      view,
      { role: 'windowMenu' },
    ];
  }
  return [
    { label: 'File', submenu: [preferences, { type: 'separator' }, quit] },
    edit,
    view,
    { label: 'Help', submenu: [about] },
  ];
}
