// The desktop app: the same Sandbox that `mailbeacon serve` runs, with a window, a tray icon and notifications
// around it. Each step lives in its own module; this file only says what happens, in which order.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  clipboard,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  screen,
  session,
  shell,
  Tray,
} from 'electron';
import { ConfigError, loadSettings } from '../config/load.js';
import { createLogger } from '../logger.js';
import { Sandbox } from '../sandbox.js';
import { appMenuTemplate } from './app-menu.js';
import { APP_CSP, DEV_CSP, installContentSecurityPolicy, originOf } from './content-security.js';
import { registerIpcHandlers } from './ipc.js';
import { MainWindow } from './main-window.js';
import { electronNativeBinding } from './native-binding.js';
import { MailNotifier } from './notifications.js';
import { PREFERENCES_FILE, PreferencesFile } from './preferences.js';
import { installQuitSequence } from './quit.js';
import { startWithPortRecovery } from './start-sandbox.js';
import { AppTray } from './tray.js';
import { WINDOW_STATE_FILE } from './window-state.js';

const PRODUCT_NAME = 'Mailbeacon';
/** Routes of the UI the shell opens directly. */
const SETTINGS_ROUTE = '/settings';
const messageRoute = (id: string) => `/message/${encodeURIComponent(id)}`;

const here = dirname(fileURLToPath(import.meta.url));
const resource = (...parts: string[]) => join(app.getAppPath(), 'resources', ...parts);
const logger = createLogger('info');
const log = logger.child('app');

// 1. Data lives in userData under the product's name, whether run from source (where Electron would name the
//    folder after the npm package) or packaged. The single-instance lock is keyed on this folder, so it comes first.
app.setPath('userData', join(app.getPath('appData'), PRODUCT_NAME));

// 2. One instance: a second launch would find the ports and the database taken, so it hands over and leaves.
if (!app.requestSingleInstanceLock()) app.quit();
else main().catch(fatal);

async function main(): Promise<void> {
  // 3. Settings, data in userData, and the Electron build of the native SQLite module.
  const userData = app.getPath('userData');
  const preferences = new PreferencesFile(join(userData, PREFERENCES_FILE));
  const binding = electronNativeBinding({
    appPath: app.getAppPath(),
    resourcesPath: process.resourcesPath,
    isPackaged: app.isPackaged,
  });
  if (binding.problem) log.warn(binding.problem);
  const initialSettings = loadSettings(preferences.listenerFlags(process.env), process.env, userData);
  await app.whenReady();

  // 4. Start the sandbox; taken ports get a dialog offering free ones, not a crash.
  const started = await startWithPortRecovery({
    settings: initialSettings,
    // The UI the sandbox serves is the renderer built beside this bundle (out/renderer next to out/main).
    create: (settings) =>
      new Sandbox(settings, { logger, nativeBinding: binding.path, uiDir: join(here, '../renderer') }),
    dialog,
    remember: (listeners) => preferences.rememberListeners(listeners),
    logger: log,
  });
  if (!started) return app.quit();
  const { sandbox, addresses, settings } = started;

  // 5. Quitting waits for the sandbox to stop (with a deadline), so no accepted mail is lost.
  installQuitSequence(app, { stop: () => sandbox.stop(), logger: log });

  // 6. The window shows the UI from the sandbox's own listener, under a CSP, with navigation locked down.
  const devUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
  const appOrigin = originOf(addresses.http)!;
  const devOrigin = devUrl ? originOf(devUrl) : null;
  const appOrigins = devOrigin ? [appOrigin, devOrigin] : [appOrigin];
  installContentSecurityPolicy(session.defaultSession, [
    { origin: appOrigin, policy: APP_CSP },
    ...(devOrigin ? [{ origin: devOrigin, policy: DEV_CSP }] : []),
  ]);
  const window = new MainWindow({
    BrowserWindow,
    screen,
    shell,
    url: devUrl ?? addresses.http,
    appOrigins,
    preload: join(here, '../preload/index.cjs'),
    icon: resource('icon.png'),
    stateFile: join(userData, WINDOW_STATE_FILE),
    logger: log,
  });
  app.on('second-instance', () => window.show());
  app.on('activate', () => window.show());
  // Closing the window is not quitting: the SMTP listener keeps catching mail, reachable from the tray.
  app.on('window-all-closed', () => undefined);

  // 7. Native menu.
  app.setAboutPanelOptions({ applicationName: 'Mailbeacon', applicationVersion: app.getVersion() });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      appMenuTemplate(
        process.platform,
        {
          about: () => app.showAboutPanel(),
          preferences: () => window.showRoute(SETTINGS_ROUTE),
          quit: () => app.quit(),
        },
        !app.isPackaged,
      ),
    ),
  );

  // 8. Tray: unread count, pause/resume capture, copy the SMTP address.
  const trayIcon = nativeImage.createFromPath(
    resource('tray', process.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png'),
  );
  const tray = new AppTray({
    Tray,
    Menu,
    icon: trayIcon,
    state: () => ({
      running: true,
      unread: sandbox.unreadCount(),
      capturePaused: sandbox.capturePaused,
      smtpAddress: addresses.smtp,
    }),
    actions: {
      openWindow: () => window.show(),
      setCapturePaused: (paused) => {
        sandbox.setCapturePaused(paused);
        tray.refreshNow();
      },
      copySmtpAddress: () => clipboard.writeText(addresses.smtp),
      quit: () => app.quit(),
    },
  });
  for (const event of ['message.created', 'message.read', 'message.deleted'] as const) {
    sandbox.bus.on(event, () => tray.refresh());
  }

  // 9. Notifications for new mail and for the first open and click of each mail.
  const notifier = new MailNotifier({
    bus: sandbox.bus,
    prefs: () => preferences.notifications,
    show: ({ title, body, messageId }) => {
      if (!Notification.isSupported()) return;
      const notice = new Notification({ title, body });
      notice.on('click', () => window.showRoute(messageRoute(messageId)));
      notice.show();
    },
  });
  notifier.start();

  // 10. The few things the window may ask for, each call checked for its sender.
  registerIpcHandlers(
    ipcMain,
    { mainContents: () => window.contents, appOrigins },
    {
      appVersion: () => app.getVersion(),
      openExternal: (url) => shell.openExternal(url),
      revealDataFolder: async () => {
        const problem = await shell.openPath(settings.dataDir);
        if (problem) throw new Error(`[app] could not open ${settings.dataDir}: ${problem}`);
      },
      getNotificationPrefs: () => preferences.notifications,
      setNotificationPrefs: (prefs) => preferences.setNotifications(prefs),
    },
    log,
  );

  window.show();
}

/** Anything that keeps the app from starting is shown, not just logged: a desktop app has no visible stderr. */
async function fatal(err: unknown): Promise<void> {
  const message = err instanceof ConfigError ? err.message : `[app] ${(err as Error)?.stack ?? String(err)}`;
  log.error(message);
  await app.whenReady();
  dialog.showErrorBox('Mailbeacon could not start', message);
  app.exit(1);
}
