// The Electron main process (bundled as dist/main.cjs: CommonJS, so that all of it runs before the
// app is ready): thin on purpose. It keeps the window, the menu, the tray, dialogs, notifications,
// opening files and links, and the secrets; the engine runs in a utilityProcess
// (main/engine-host.ts) and the window talks to it over a MessagePort.
// This file only puts the pieces together: each of them is tested without Electron (test/main).
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  MessageChannelMain,
  nativeImage,
  Notification,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  Tray,
  utilityProcess,
  type IpcMainEvent,
  type IpcMainInvokeEvent,
  type MessagePortMain,
} from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, wireTransport } from '../app/contract/client.ts';
import type { ParsedParamsOf } from '../app/contract/api.ts';
import { Activity, type Notice } from './activity.ts';
import { answerDesktop, type DesktopDeps } from './desktop-actions.ts';
import { EngineChannel } from './engine-channel.ts';
import { engineArgs, EngineHost } from './engine-host.ts';
import { IPC } from './ipc-channels.ts';
import { runLifecycle } from './lifecycle.ts';
import { menuTemplate } from './menu.ts';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, APP_URL, rendererHandler } from './protocol.ts';
import { DesktopSecrets } from './secrets.ts';
import { openPdfAtPage } from './viewer.ts';
import { isAppUrl, secureContents, secureSession, windowOptions } from './window.ts';
import { readWindowState, rememberWindowState, restoreBounds, writeWindowState } from './window-state.ts';

const root = app.getAppPath();
const dist = join(root, 'dist');
const desktopResources = join(root, 'resources', 'desktop');
const platform = process.platform === 'darwin' || process.platform === 'win32' ? process.platform : 'linux';

// Before the app is ready: every renderer sandboxed, and the app:// scheme privileged.
app.enableSandbox();
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.setAppUserModelId('app.cairn.desktop'); // Windows: notifications are attributed to Cairn

// Main's own connection to the engine (tray, notifications, imports, finding documents to open).
const own = new EngineChannel<MessagePortMain>({
  post: (port, message) => port.postMessage(message),
  listen: (port, onData) => {
    port.on('message', (event) => onData(event.data));
    port.start();
  },
  close: (port) => port.close(),
});
const client = createClient(wireTransport(own), { onProblem: (message) => console.warn(`cairn: ${message}`) });

let mainWindow: BrowserWindow | null = null;
let disconnectWindow: (() => void) | null = null;
let host: EngineHost<MessagePortMain> | null = null;

function notify({ title, body }: Notice): void {
  if (Notification.isSupported()) new Notification({ title, body }).show();
}

/** Files and folders dropped on the dock or taskbar icon, opened with Cairn, or chosen in the menu. */
function importPaths(paths: string[]): void {
  showWindow();
  for (let i = 0; i < paths.length; i += 10_000) {
    client.api.library.add({ paths: paths.slice(i, i + 10_000) }).then(
      ({ missing }) => {
        if (missing.length) notify({ title: 'Not added', body: `Not found: ${missing.join(', ')}` });
      },
      (error: Error) => notify({ title: 'Could not add', body: error.message }),
    );
  }
}

async function choose({ pick, multiple, title, extensions }: ParsedParamsOf<'desktop.choosePaths'>): Promise<string[]> {
  const options: Electron.OpenDialogOptions = {
    properties: [pick === 'folders' ? 'openDirectory' : 'openFile', ...(multiple ? (['multiSelections'] as const) : [])],
    ...(title ? { title } : {}),
    ...(extensions?.length ? { filters: [{ name: extensions.map((e) => `.${e}`).join(', '), extensions }] } : {}),
  };
  const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
  return result.canceled ? [] : result.filePaths;
}

const desktop: DesktopDeps = {
  platform,
  document: (id) => client.api.documents.get({ id, chunkLimit: 0 }),
  exists: existsSync,
  openPath: (path) => shell.openPath(path),
  showItemInFolder: (path) => shell.showItemInFolder(path),
  openExternal: (url) => shell.openExternal(url),
  openAtPage: (path, page) => openPdfAtPage(path, page, process.platform),
  choose,
};

/** Whether an IPC message comes from the Cairn window's own page (not a frame, not another page). */
function fromWindow(event: IpcMainEvent | IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return mainWindow !== null && event.sender === mainWindow.webContents && frame !== null && frame.parent === null && isAppUrl(frame.url);
}

function createWindow(): BrowserWindow {
  const stateFile = join(app.getPath('userData'), 'window-state.json');
  const saved = readWindowState(stateFile);
  const bounds = restoreBounds(saved, screen.getAllDisplays().map((display) => display.workArea));
  const created = new BrowserWindow(windowOptions(join(dist, 'preload.cjs'), bounds, process.platform, join(desktopResources, 'icon.png')));
  if (saved?.maximized) created.maximize();
  rememberWindowState(created, (state) => writeWindowState(stateFile, state));
  created.once('ready-to-show', () => created.show());
  // A crashed page is loaded again, but not in a loop: one that crashes within a minute of the last reload stays down.
  let reloadedAt = 0;
  created.webContents.on('render-process-gone', (_event, details) => {
    if (details.reason === 'clean-exit' || created.isDestroyed() || Date.now() - reloadedAt < 60_000) return;
    reloadedAt = Date.now();
    created.reload();
  });
  created.on('closed', () => {
    disconnectWindow?.();
    disconnectWindow = null;
    mainWindow = null;
  });
  void created.loadURL(APP_URL);
  return created;
}

function showWindow(): void {
  if (!app.isReady()) return; // the window opens when the app is ready
  mainWindow ??= createWindow();
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

async function start(): Promise<void> {
  secureSession(session.defaultSession);
  protocol.handle(APP_SCHEME, rendererHandler(join(dist, 'renderer')));

  const secrets = await DesktopSecrets.open({
    safeStorage,
    platform: process.platform,
    file: join(app.getPath('userData'), 'secrets.safestorage.json'),
    onSessionOnly: (message) => void dialog.showMessageBox({ type: 'warning', message: 'Not saved on this computer', detail: message }),
  });
  host = new EngineHost<MessagePortMain>({
    fork: () => utilityProcess.fork(join(dist, 'engine.js'), engineArgs({ secretsDescription: secrets.description }), { serviceName: 'Cairn engine' }),
    newChannel: () => new MessageChannelMain(),
    secrets,
    onFailed: (reason) => void dialog.showMessageBox({ type: 'error', message: 'Cairn cannot run its engine', detail: reason }),
  });
  const engine = host;
  engine.connect({ attach: (port) => own.attach(port), notify: (message) => own.fromHost(message) });
  engine.start();

  ipcMain.on(IPC.connect, (event) => {
    if (!fromWindow(event)) return;
    disconnectWindow?.(); // a reloaded page: a fresh port
    const contents = event.sender;
    disconnectWindow = engine.connect({
      attach: (port) => contents.postMessage(IPC.port, null, [port]),
      notify: (message) => contents.send(IPC.engine, message),
    });
  });
  ipcMain.handle(IPC.desktop, (event, request: unknown) => {
    if (!fromWindow(event)) return { type: 'response', id: null, error: { code: 'bad-message', message: 'Not from the Cairn window.' } };
    return answerDesktop(request, desktop);
  });

  const tray = new Tray(nativeImage.createFromPath(join(desktopResources, 'tray.png')));
  const activity = new Activity({ onTooltip: (text) => tray.setToolTip(text), onNotice: notify });
  tray.setContextMenu(Menu.buildFromTemplate([{ label: 'Show Cairn', click: showWindow }, { type: 'separator' }, { role: 'quit' }]));
  tray.on('click', showWindow);
  client.onEvent((event) => activity.handle(event));

  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(
        process.platform,
        {
          addFiles: () => void choose({ pick: 'files', multiple: true }).then((paths) => paths.length && importPaths(paths)),
          watchFolder: () =>
            void choose({ pick: 'folders', multiple: false }).then(async ([path]) => {
              if (path) await client.api.folders.add({ path }).catch((error: Error) => notify({ title: 'Could not watch the folder', body: error.message }));
            }),
          showLibraryFolder: () => void client.api.engine.info().then(({ dbPath }) => shell.showItemInFolder(dbPath), () => {}),
        },
        { development: !app.isPackaged },
      ),
    ),
  );
  showWindow();
}

app.on('web-contents-created', (_event, contents) => secureContents(contents, (url) => void shell.openExternal(url)));

const running = runLifecycle(
  app,
  { platform: process.platform, defaultApp: process.defaultApp === true, showWindow, importPaths, shutdown: () => host?.shutdown() ?? Promise.resolve() },
  process.argv,
  process.cwd(),
);
if (running) {
  app.whenReady().then(start).catch((error: unknown) => {
    dialog.showErrorBox('Cairn could not start', (error as Error).message);
    app.quit();
  });
}
