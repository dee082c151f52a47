import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { trayMenuTemplate, trayTitle, trayTooltip, type TrayState } from '../../src-main/app/tray-menu.js';

const running: TrayState = { running: true, unread: 3, capturePaused: false, smtpAddress: '127.0.0.1:1025' };

function model(state: TrayState) {
  const calls: string[] = [];
  const items = trayMenuTemplate(state, {
    openWindow: () => calls.push('open'),
    setCapturePaused: (paused) => calls.push(`paused=${paused}`),
    copySmtpAddress: () => calls.push('copy'),
    quit: () => calls.push('quit'),
  });
  const item = (id: string) => items.find((i) => i.id === id)!;
  const click = (id: string) => (item(id).click as () => void)();
  return { items, item, click, calls };
}

const labels = (items: MenuItemConstructorOptions[]) =>
  items.map((i) => (i.type === 'separator' ? '---' : i.label));

describe('tray menu', () => {
  it('lists open, status, pause, copy and quit', () => {
    const { items, item } = model(running);
    expect(labels(items)).toEqual([
      'Open Mailbeacon',
      '3 unread mails · SMTP 127.0.0.1:1025',
      '---',
      'Pause capture',
      'Copy SMTP address (127.0.0.1:1025)',
      '---',
      'Quit Mailbeacon',
    ]);
    expect(item('status').enabled).toBe(false);
    expect(item('pause').enabled).toBe(true);
    expect(item('copy-smtp').enabled).toBe(true);
  });

  it('toggles pause and resume', () => {
    const active = model(running);
    active.click('pause');
    expect(active.calls).toEqual(['paused=true']);

    const paused = model({ ...running, capturePaused: true });
    expect(paused.item('pause').label).toBe('Resume capture');
    expect(paused.item('status').label).toBe('3 unread mails · capture paused');
    paused.click('pause');
    expect(paused.calls).toEqual(['paused=false']);
  });

  it('wires open, copy and quit', () => {
    const { click, calls } = model(running);
    click('open');
    click('copy-smtp');
    click('quit');
    expect(calls).toEqual(['open', 'copy', 'quit']);
  });

  it('disables pause and copy while the sandbox is not running', () => {
    const { item } = model({ running: false, unread: 0, capturePaused: false, smtpAddress: '' });
    expect(item('pause').enabled).toBe(false);
    expect(item('copy-smtp').enabled).toBe(false);
    expect(item('copy-smtp').label).toBe('Copy SMTP address');
    expect(item('quit').enabled).not.toBe(false);
    expect(item('open').enabled).not.toBe(false);
  });

  it('shows the unread count in the tooltip and the macOS title', () => {
    expect(trayTooltip(running)).toBe('Mailbeacon — 3 unread mails · SMTP 127.0.0.1:1025');
    expect(trayTitle(running)).toBe('3');
    expect(trayTooltip({ ...running, unread: 1 })).toContain('1 unread mail ·');
    expect(trayTitle({ ...running, unread: 0 })).toBe('');
    expect(trayTooltip({ ...running, running: false })).toBe('Mailbeacon — not running');
  });
});
