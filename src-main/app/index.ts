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
import type { Settings } from '../config/schema.js';
import { ConfigError, loadSettings } from '../config/load.js';
import { createLogger } from '../logger.js';
import { Sandbox, type SandboxAddresses } from '../sandbox.js';
import { appMenuTemplate } from './app-menu.js';
import {
  APP_CSP,
  DEV_CSP,
  installContentSecurityPolicy,
  originOf,
  type CspTarget,
} from './content-security.js';
import { codecFromSettings } from '../tracking/setup.js';
import { guardedOpenExternal, trackedLinkDestination } from './external-links.js';
import { registerIpcHandlers } from './ipc.js';
import { MainWindow } from './main-window.js';
import { electronNativeBinding } from './native-binding.js';
import { guardAllWebContents } from './navigation.js';
import { MailNotifier } from './notifications.js';
import { installPermissionPolicy } from './permissions.js';
import { PREFERENCES_FILE, PreferencesFile } from './preferences.js';
import { checkSmtpTlsPrefs } from './smtp-tls-prefs.js';
import { installQuitSequence } from './quit.js';
import { startWithPortRecovery } from './start-sandbox.js';
import { AppTray } from './tray.js';
import { inboxUrl } from './tray-menu.js';
import { uiAuthResponder } from './ui-auth.js';
import { WINDOW_STATE_FILE } from './window-state.js';

const PRODUCT_NAME = 'Mailbeacon';
/** `build.appId` in package.json. */
const APP_ID = 'dev.mailbeacon.desktop';
/** Routes of the UI the shell opens directly. */
const SETTINGS_ROUTE = '/settings';
const messageRoute = (id: string) => `/message/${encodeURIComponent(id)}`;

const here = dirname(fileURLToPath(import.meta.url));
const resource = (...parts: string[]) => join(app.getAppPath(), 'resources', ...parts);
const logger = createLogger('info');
const log = logger.child('app');

// Data lives in userData under the product's name, whether run from source (where Electron would name the folder
// after the npm package) or packaged. The single-instance lock is keyed on this folder, so this comes first.
app.setPath('userData', join(app.getPath('appData'), PRODUCT_NAME));

// One instance: a second launch would find the ports and the database taken, so it hands over and leaves.
if (!app.requestSingleInstanceLock()) app.quit();
else main().catch(fatal);

async function main(): Promise<void> {
  const userData = app.getPath('userData');
  const preferences = new PreferencesFile(join(userData, PREFERENCES_FILE));
  await app.whenReady();

  const started = await startSandbox(userData, preferences);
  if (!started) return app.quit();
  const { sandbox, addresses, settings } = started;
  installQuitSequence(app, { stop: () => sandbox.stop(), logger: log });

  const ui = uiLocation(addresses);
  const openExternal = externalOpener(addresses, settings);
  lockDown(ui, openExternal);
  const window = openWindow(ui, userData, settings, openExternal);
  installAppMenu(window);
  createTray(sandbox, addresses, window, ui.url);
  notifyAboutMail(sandbox, preferences, window);
  serveWindowRequests(window, ui, preferences, settings, openExternal);
  window.show();
}

/** Settings from userData (and MB_* variables), the Electron build of SQLite; taken ports get a dialog, not a crash. */
async function startSandbox(userData: string, preferences: PreferencesFile) {
  const binding = electronNativeBinding({
    appPath: app.getAppPath(),
    resourcesPath: process.resourcesPath,
    isPackaged: app.isPackaged,
  });
  if (binding.problem) log.warn(binding.problem);
  return startWithPortRecovery({
    settings: loadSettings(
      { ...preferences.smtpTlsFlags(process.env), ...preferences.listenerFlags(process.env) },
      process.env,
      userData,
    ),
    // The UI the sandbox serves is the renderer built beside this bundle (out/renderer next to out/main).
    create: (settings) =>
      new Sandbox(settings, { logger, nativeBinding: binding.path, uiDir: join(here, '../renderer') }),
    dialog,
    remember: (listeners) => preferences.rememberListeners(listeners),
    logger: log,
  });
}

interface UiLocation {
  url: string;
  /** Origins whose pages may call the preload's functions, and that get the app's CSP. */
  origins: string[];
  csp: CspTarget[];
}

/** The UI comes from the sandbox's own listener, the URL a browser would use; in development from the dev server. */
function uiLocation(addresses: SandboxAddresses): UiLocation {
  const appOrigin = originOf(addresses.http)!;
  const devUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
  const devOrigin = devUrl ? originOf(devUrl) : null;
  if (!devUrl || !devOrigin)
    return { url: addresses.http, origins: [appOrigin], csp: [{ origin: appOrigin, policy: APP_CSP }] };
  return {
    url: devUrl,
    origins: [appOrigin, devOrigin],
    csp: [
      { origin: appOrigin, policy: APP_CSP },
      { origin: devOrigin, policy: DEV_CSP },
    ],
  };
}

type OpenExternal = (url: string) => Promise<void>;

/** The system browser, asked through a dialog first for a link (or a tracked link's target) to a local address. */
function externalOpener(addresses: SandboxAddresses, settings: Settings): OpenExternal {
  const { codec } = codecFromSettings(settings);
  return guardedOpenExternal({
    shell,
    dialog,
    logger: log,
    trackedDestination: trackedLinkDestination(codec, () => [addresses.tracking, addresses.trackingUrl]),
  });
}

/** Before any window exists: no permission but notifications, and every web contents under the navigation rules. */
function lockDown(ui: UiLocation, openExternal: OpenExternal): void {
  installPermissionPolicy(session.defaultSession, ui.origins);
  guardAllWebContents(app, ui.origins, { openExternal, logger: log });
}

/** The window, under a CSP, with navigation locked down; it survives being closed as the tray icon. */
function openWindow(
  ui: UiLocation,
  userData: string,
  settings: Settings,
  openExternal: OpenExternal,
): MainWindow {
  installContentSecurityPolicy(session.defaultSession, ui.csp);
  app.on('login', uiAuthResponder(settings.uiAuth, ui.origins));
  const window = new MainWindow({
    BrowserWindow,
    screen,
    shell: { openExternal },
    url: ui.url,
    appOrigins: ui.origins,
    preload: join(here, '../preload/index.cjs'),
    icon: resource('icon.png'),
    stateFile: join(userData, WINDOW_STATE_FILE),
    logger: log,
  });
  app.on('second-instance', () => window.show());
  app.on('activate', () => window.show());
  // Closing the window is not quitting: the SMTP listener keeps catching mail, reachable from the tray.
  app.on('window-all-closed', () => undefined);
  return window;
}

function installAppMenu(window: MainWindow): void {
  app.setAboutPanelOptions({ applicationName: PRODUCT_NAME, applicationVersion: app.getVersion() });
  const actions = {
    about: () => app.showAboutPanel(),
    preferences: () => window.showRoute(SETTINGS_ROUTE),
    quit: () => app.quit(),
  };
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(appMenuTemplate(process.platform, actions, !app.isPackaged)),
  );
}

/** Tray icon with the unread count; its menu pauses capture and copies the SMTP address. */
function createTray(
  sandbox: Sandbox,
  addresses: SandboxAddresses,
  window: MainWindow,
  uiUrl: string,
): AppTray {
  const closed = new Set(sandbox.settings.inboxAuth.map((entry) => entry.inbox));
  // The store answers later: the menu shows the figures last read, and every change reads them again.
  let unread = 0;
  let inboxes: { name: string; unread: number; closed: boolean }[] = [];
  const icon = resource('tray', process.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png');
  const tray: AppTray = new AppTray({
    Tray,
    Menu,
    icon: nativeImage.createFromPath(icon),
    state: () => ({
      running: true,
      unread,
      capturePaused: sandbox.capturePaused,
      smtpAddress: addresses.smtp,
      inboxes,
    }),
    actions: {
      openWindow: () => window.show(),
      openInbox: (name) => void window.showPage(inboxUrl(uiUrl, name)),
      setCapturePaused: (paused) => {
        sandbox.setCapturePaused(paused);
        tray.refreshNow();
      },
      copySmtpAddress: () => void clipboard.writeText(addresses.smtp),
      quit: () => app.quit(),
    },
  });
  for (const event of ['message.created', 'message.read', 'message.deleted', 'message.moved'] as const) {
    sandbox.bus.on(event, () => recount());
  }
  const recount = () =>
    void Promise.all([sandbox.unreadCount(), sandbox.storage.inboxes.list()]).then(
      ([n, rows]) => {
        unread = n;
        inboxes = rows.map((row) => ({ name: row.name, unread: row.unread, closed: closed.has(row.name) }));
        tray.refresh();
      },
      () => {},
    );
  recount();
  return tray;
}

/** Desktop notices for new mail and for the first open and click of each mail; a click shows that mail. */
function notifyAboutMail(sandbox: Sandbox, preferences: PreferencesFile, window: MainWindow): void {
  // Windows shows notifications only for an app whose id matches its Start-menu shortcut (set by the installer).
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
  const notifier = (names: string[]) =>
    new MailNotifier({
      bus: sandbox.bus,
      prefs: () => preferences.notifications,
      inboxes: () => names,
      show: ({ title, body, messageId }) => {
        if (!Notification.isSupported()) return;
        const notice = new Notification({ title, body });
        notice.on('click', () => window.showRoute(messageRoute(messageId)));
        notice.show();
      },
    }).start();
  // The inboxes there are before the first mail: a notice names its inbox once there is more than one.
  sandbox.storage.inboxes.list().then(
    (rows) => notifier(rows.map((row) => row.name)),
    () => notifier([]),
  );
}

/** The few things the window may ask for (see the preload), each call checked for its sender. */
function serveWindowRequests(
  window: MainWindow,
  ui: UiLocation,
  preferences: PreferencesFile,
  settings: Settings,
  openExternal: OpenExternal,
) {
  registerIpcHandlers(
    ipcMain,
    { mainContents: () => window.contents, appOrigins: ui.origins },
    {
      appVersion: () => app.getVersion(),
      openExternal,
      revealDataFolder: async () => {
        const problem = await shell.openPath(settings.dataDir);
        if (problem) throw new Error(`[app] could not open ${settings.dataDir}: ${problem}`);
      },
      getNotificationPrefs: () => preferences.notifications,
      setNotificationPrefs: (prefs) => preferences.setNotifications(prefs),
      getSmtpTlsPrefs: () => preferences.smtpTls,
      setSmtpTlsPrefs: async (prefs) => {
        await checkSmtpTlsPrefs(prefs);
        return preferences.setSmtpTls(prefs);
      },
    },
    log,
  );
}

/** Anything that keeps the app from starting is shown, not just logged: a desktop app has no visible stderr. */
async function fatal(err: unknown): Promise<void> {
  // Errors already worded for the user (`[db] the data directory … is in use …`) are shown as they are; only an
  // unexpected one needs its stack.
  const worded = err instanceof ConfigError || (err instanceof Error && /^\[[a-z]+\] /.test(err.message));
  const message = worded ? (err as Error).message : `[app] ${(err as Error)?.stack ?? String(err)}`;
  log.error(message);
  await app.whenReady();
  dialog.showErrorBox('Mailbeacon could not start', message);
  app.exit(1);
}
