import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { appMenuTemplate } from '../../src-main/app/app-menu.js';
import { ELECTRON_BINDING, electronNativeBinding } from '../../src-main/app/native-binding.js';

function find(items: MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions | undefined {
  for (const item of items) {
    if (item.id === id) return item;
    const inner = Array.isArray(item.submenu) ? find(item.submenu, id) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

function menu(platform: NodeJS.Platform, dev = false) {
  const calls: string[] = [];
  const items = appMenuTemplate(
    platform,
    {
      about: () => calls.push('about'),
      preferences: () => calls.push('preferences'),
      quit: () => calls.push('quit'),
    },
    dev,
  );
  const click = (id: string) => (find(items, id)!.click as () => void)();
  return { items, calls, click };
}

describe('application menu', () => {
  it('puts About, Settings and Quit in the app menu on macOS', () => {
    const { items, calls, click } = menu('darwin');
    expect(items[0]!.label).toBe('Mailbeacon');
    const appMenu = items[0]!.submenu as MenuItemConstructorOptions[];
    expect(appMenu.map((i) => i.id).filter(Boolean)).toEqual(['about', 'preferences', 'quit']);
    expect(find(items, 'preferences')!.accelerator).toBe('CmdOrCtrl+,');
    click('about');
    click('preferences');
    click('quit');
    expect(calls).toEqual(['about', 'preferences', 'quit']);
  });

  it('uses File and Help elsewhere', () => {
    const { items } = menu('linux');
    expect(items.map((i) => i.label ?? i.role)).toEqual(['File', 'editMenu', 'View', 'Help']);
    expect(find(items, 'preferences')!.label).toBe('Preferences…');
  });

  it('offers developer tools only in development', () => {
    const hasDevTools = (items: MenuItemConstructorOptions[]) =>
      JSON.stringify(items).includes('toggleDevTools');
    expect(hasDevTools(menu('linux').items)).toBe(false);
    expect(hasDevTools(menu('linux', true).items)).toBe(true);
  });
});

describe('native module location', () => {
  it('uses the project copy in development and the unpacked copy when packaged', () => {
    const exists = () => true;
    expect(
      electronNativeBinding({ appPath: '/src/mb', resourcesPath: '/x', isPackaged: false, exists }).path,
    ).toBe(`/src/mb/${ELECTRON_BINDING}`);
    expect(
      electronNativeBinding({
        appPath: '/opt/Mailbeacon/resources/app.asar',
        resourcesPath: '/opt/Mailbeacon/resources',
        isPackaged: true,
        exists,
      }).path,
    ).toBe(`/opt/Mailbeacon/resources/app.asar.unpacked/${ELECTRON_BINDING}`);
  });

  it('says how to build it when it is missing', () => {
    const result = electronNativeBinding({
      appPath: '/src/mb',
      resourcesPath: '/x',
      isPackaged: false,
      exists: () => false,
    });
    expect(result.path).toBeUndefined();
    expect(result.problem).toMatch(/^\[db\] .*scripts\/build-electron-native\.mjs/);
  });
});
