import { describe, expect, it } from 'vitest';
import { IpcRefusedError, isTrustedSender, registerIpcHandlers } from '../../src-main/app/ipc.js';
import { checkSmtpTlsPrefs, DEFAULT_SMTP_TLS_PREFS } from '../../src-main/app/smtp-tls-prefs.js';
import { IPC_CHANNELS, type NotificationPrefs, type SmtpTlsPrefs } from '../../src-main/preload/channels.js';
import { recordingLogger, StandInIpcMain, StandInWebContents } from './stand-ins.js';

const APP = 'http://127.0.0.1:8025';

function setup() {
  const mainContents = new StandInWebContents();
  const ipcMain = new StandInIpcMain();
  const calls: string[] = [];
  let prefs: NotificationPrefs = { newMail: true, firstOpen: true, firstClick: true };
  let tls: SmtpTlsPrefs = DEFAULT_SMTP_TLS_PREFS;
  const { logger, lines } = recordingLogger();
  const unregister = registerIpcHandlers(
    ipcMain,
    { mainContents: () => mainContents, appOrigins: [APP] },
    {
      appVersion: () => '1.2.3',
      openExternal: async (url) => void calls.push(`open ${url}`),
      revealDataFolder: async () => void calls.push('reveal'),
      getNotificationPrefs: () => prefs,
      setNotificationPrefs: (p) => (prefs = p),
      getSmtpTlsPrefs: () => tls,
      setSmtpTlsPrefs: async (p) => {
        await checkSmtpTlsPrefs(p);
        return (tls = p);
      },
    },
    logger,
  );
  const topFrame = (url: string) => ({ url, parent: null });
  const fromApp = { sender: mainContents, senderFrame: topFrame(`${APP}/settings`) };
  return { mainContents, ipcMain, calls, lines, unregister, topFrame, fromApp };
}

describe('IPC handlers', () => {
  it('registers exactly the named channels, and removes them again', () => {
    const { ipcMain, unregister } = setup();
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.values(IPC_CHANNELS).sort());
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('serves the main window showing the app origin', async () => {
    const { ipcMain, fromApp, calls } = setup();
    expect(await ipcMain.invoke(IPC_CHANNELS.appVersion, fromApp)).toBe('1.2.3');
    await ipcMain.invoke(IPC_CHANNELS.openExternal, fromApp, 'https://example.com/');
    await ipcMain.invoke(IPC_CHANNELS.revealDataFolder, fromApp);
    expect(calls).toEqual(['open https://example.com/', 'reveal']);
    const off = { newMail: false, firstOpen: true, firstClick: false };
    expect(await ipcMain.invoke(IPC_CHANNELS.setNotificationPrefs, fromApp, off)).toEqual(off);
    expect(await ipcMain.invoke(IPC_CHANNELS.getNotificationPrefs, fromApp)).toEqual(off);
  });

  it('refuses a frame from another origin in the main window', async () => {
    const { ipcMain, mainContents, topFrame, calls, lines } = setup();
    const foreign = { sender: mainContents, senderFrame: topFrame('https://evil.test/') };
    await expect(ipcMain.invoke(IPC_CHANNELS.openExternal, foreign, 'https://example.com/')).rejects.toThrow(
      IpcRefusedError,
    );
    await expect(ipcMain.invoke(IPC_CHANNELS.appVersion, foreign)).rejects.toThrow(
      /\[app\].*not the Mailbeacon window/,
    );
    expect(calls).toEqual([]);
    expect(lines.some((l) => l.level === 'warn' && l.message.includes('https://evil.test'))).toBe(true);
  });

  it('refuses a sub-frame even of the app origin, and the opaque origin of a mail preview', async () => {
    const { ipcMain, mainContents, calls } = setup();
    const parent = { url: `${APP}/`, parent: null };
    const subFrame = { sender: mainContents, senderFrame: { url: `${APP}/`, parent } };
    const preview = { sender: mainContents, senderFrame: { url: 'about:srcdoc', parent } };
    await expect(ipcMain.invoke(IPC_CHANNELS.revealDataFolder, subFrame)).rejects.toThrow(IpcRefusedError);
    await expect(ipcMain.invoke(IPC_CHANNELS.revealDataFolder, preview)).rejects.toThrow(IpcRefusedError);
    expect(calls).toEqual([]);
  });

  it('refuses other webContents, destroyed frames and calls while there is no window', () => {
    const { mainContents, topFrame } = setup();
    const policy = { mainContents: () => mainContents, appOrigins: [APP] };
    expect(
      isTrustedSender({ sender: new StandInWebContents(), senderFrame: topFrame(APP) } as never, policy),
    ).toBe(false);
    expect(isTrustedSender({ sender: mainContents, senderFrame: null } as never, policy)).toBe(false);
    expect(isTrustedSender({ sender: mainContents, senderFrame: topFrame(APP) } as never, policy)).toBe(true);
    expect(
      isTrustedSender({ sender: mainContents, senderFrame: topFrame(APP) } as never, {
        ...policy,
        mainContents: () => null,
      }),
    ).toBe(false);
    // Same host, other port: the tracking listener is not the app.
    expect(
      isTrustedSender(
        { sender: mainContents, senderFrame: topFrame('http://127.0.0.1:8026/') } as never,
        policy,
      ),
    ).toBe(false);
  });

  it('validates arguments from the trusted window too', async () => {
    const { ipcMain, fromApp, calls } = setup();
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 42]) {
      await expect(ipcMain.invoke(IPC_CHANNELS.openExternal, fromApp, url)).rejects.toThrow(/only http\(s\)/);
    }
    for (const prefs of [null, { newMail: 'yes', firstOpen: true, firstClick: true }, { newMail: true }]) {
      await expect(ipcMain.invoke(IPC_CHANNELS.setNotificationPrefs, fromApp, prefs)).rejects.toThrow(
        IpcRefusedError,
      );
    }
    expect(calls).toEqual([]);
  });

  it("saves TLS choices that can start, and refuses the others with the settings schema's reason", async () => {
    const { ipcMain, fromApp } = setup();
    const requireAlone = { ...DEFAULT_SMTP_TLS_PREFS, requireTls: true };
    await expect(ipcMain.invoke(IPC_CHANNELS.setSmtpTlsPrefs, fromApp, requireAlone)).rejects.toThrow(
      '[smtp] --smtp-require-tls: needs STARTTLS',
    );
    const missingFiles = {
      ...DEFAULT_SMTP_TLS_PREFS,
      starttls: 'certificate',
      certFile: '/nowhere/c.pem',
      keyFile: '/nowhere/k.pem',
    };
    await expect(ipcMain.invoke(IPC_CHANNELS.setSmtpTlsPrefs, fromApp, missingFiles)).rejects.toThrow(
      '[smtp] cannot read the TLS certificate or key',
    );
    await expect(
      ipcMain.invoke(IPC_CHANNELS.setSmtpTlsPrefs, fromApp, { starttls: 'yes please' }),
    ).rejects.toThrow(IpcRefusedError);
    const chosen = {
      ...DEFAULT_SMTP_TLS_PREFS,
      starttls: 'self-signed',
      requireTls: true,
      smtps: '127.0.0.1:1465',
    };
    expect(await ipcMain.invoke(IPC_CHANNELS.setSmtpTlsPrefs, fromApp, chosen)).toEqual(chosen);
    expect(await ipcMain.invoke(IPC_CHANNELS.getSmtpTlsPrefs, fromApp)).toEqual(chosen);
  });
});
