import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import {
  TRAY_MAX_INBOXES,
  inboxUrl,
  trayMenuTemplate,
  trayTitle,
  trayTooltip,
  type TrayState,
} from '../../src-main/app/tray-menu.js';

const running: TrayState = { running: true, unread: 3, capturePaused: false, smtpAddress: '127.0.0.1:1025' };

function model(state: TrayState) {
  const calls: string[] = [];
  const items = trayMenuTemplate(state, {
    openWindow: () => calls.push('open'),
    setCapturePaused: (paused) => calls.push(`paused=${paused}`),
    copySmtpAddress: () => calls.push('copy'),
    openInbox: (name) => calls.push(`inbox=${name}`),
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

  it('lists the inboxes with their unread counts when there is more than one, each opening its page', () => {
    const inboxes = [
      { name: 'default', unread: 0 },
      { name: 'shop', unread: 3 },
      { name: 'vault', unread: 1, closed: true },
    ];
    const { items, click, calls } = model({ ...running, inboxes });
    expect(labels(items).slice(0, 6)).toEqual([
      'Open Mailbeacon',
      '3 unread mails · SMTP 127.0.0.1:1025',
      '---',
      'default',
      'shop — 3 unread',
      'vault (closed) — 1 unread',
    ]);
    click('inbox:shop');
    expect(calls).toEqual(['inbox=shop']);
    // One inbox: "Open Mailbeacon" already shows it.
    expect(labels(model({ ...running, inboxes: [{ name: 'default', unread: 3 }] }).items)).toEqual(
      labels(model(running).items),
    );
  });

  it('lists at most a screenful of inboxes, the rest behind one entry that opens the window', () => {
    const inboxes = Array.from({ length: 40 }, (_, i) => ({
      name: `app-${String(i).padStart(2, '0')}`,
      unread: 1,
    }));
    const { items, click, calls } = model({ ...running, inboxes });
    expect(items.filter((i) => i.id?.startsWith('inbox:'))).toHaveLength(TRAY_MAX_INBOXES);
    expect(items.find((i) => i.id === 'inbox-more')!.label).toBe(`${40 - TRAY_MAX_INBOXES} more inboxes…`);
    click('inbox-more');
    expect(calls).toEqual(['open']);
  });

  it('opens an inbox at /inbox/NAME/ of the UI, whatever page the UI was on', () => {
    expect(inboxUrl('http://127.0.0.1:8025/', 'shop')).toBe('http://127.0.0.1:8025/inbox/shop/');
    expect(inboxUrl('http://127.0.0.1:8025/#/settings', 'a.b_c-d')).toBe(
      'http://127.0.0.1:8025/inbox/a.b_c-d/',
    );
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
