// A stand-in for the `electron` module, for loading the built main bundle in plain Node (see
// use-fake-electron.mjs): every call is recorded and printed as JSON when the process exits.
// FAKE_ELECTRON_LOCK=0 makes this instance the second one.
import { Buffer } from 'node:buffer';
import { EventEmitter } from 'node:events';

const log = [];
const record = (call, ...args) => log.push([call, ...args.map((a) => (typeof a === 'function' ? '<function>' : a))]);
process.on('exit', () => process.stdout.write(`${JSON.stringify(log)}\n`));

class Emitter extends EventEmitter {}

export const app = Object.assign(new Emitter(), {
  isPackaged: true,
  enableSandbox: () => record('app.enableSandbox'),
  setAppUserModelId: (id) => record('app.setAppUserModelId', id),
  requestSingleInstanceLock: () => {
    record('app.requestSingleInstanceLock');
    return process.env.FAKE_ELECTRON_LOCK !== '0';
  },
  quit: () => record('app.quit'),
  isReady: () => true,
  whenReady: async () => record('app.whenReady'),
  getAppPath: () => '/fake/app',
  getPath: (name) => `/fake/${name}`,
});

export const protocol = {
  registerSchemesAsPrivileged: (schemes) => record('protocol.registerSchemesAsPrivileged', schemes),
  handle: (scheme) => record('protocol.handle', scheme),
};

export const session = {
  defaultSession: {
    setPermissionRequestHandler: () => record('session.setPermissionRequestHandler'),
    setPermissionCheckHandler: () => record('session.setPermissionCheckHandler'),
    setDevicePermissionHandler: () => record('session.setDevicePermissionHandler'),
  },
};

export const safeStorage = {
  getSelectedStorageBackend: () => 'gnome_libsecret',
  isAsyncEncryptionAvailable: async () => true,
  encryptStringAsync: async (text) => Buffer.from(text),
  decryptStringAsync: async (data) => ({ result: data.toString(), shouldReEncrypt: false }),
};

export const utilityProcess = {
  fork: (modulePath, args, options) => {
    record('utilityProcess.fork', modulePath, args, options);
    return Object.assign(new Emitter(), { postMessage: (message) => record('engine.postMessage', message), kill: () => true });
  },
};

export class MessageChannelMain {
  port1 = Object.assign(new Emitter(), { postMessage() {}, start() {}, close() {} });
  port2 = Object.assign(new Emitter(), { postMessage() {}, start() {}, close() {} });
}

export class BrowserWindow extends Emitter {
  constructor(options) {
    super();
    record('new BrowserWindow', options);
    this.webContents = Object.assign(new Emitter(), { mainFrame: {}, postMessage() {}, send() {}, setWindowOpenHandler() {} });
  }
  loadURL(url) {
    record('window.loadURL', url);
    return Promise.resolve();
  }
  isMinimized = () => false;
  isMaximized = () => false;
  isDestroyed = () => false;
  getNormalBounds = () => ({ x: 0, y: 0, width: 1200, height: 800 });
  maximize() {}
  restore() {}
  show() {}
  focus() {}
  reload() {}
}

export const screen = { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] };
export const ipcMain = { on: (channel) => record('ipcMain.on', channel), handle: (channel) => record('ipcMain.handle', channel) };
export const Menu = { buildFromTemplate: (template) => ({ template }), setApplicationMenu: (menu) => record('Menu.setApplicationMenu', menu.template.map((item) => item.role ?? item.label)) };
export const nativeImage = { createFromPath: (path) => ({ path }) };
export class Tray extends Emitter {
  constructor(image) {
    super();
    record('new Tray', image.path);
  }
  setToolTip(text) {
    record('tray.setToolTip', text);
  }
  setContextMenu() {}
}
export class Notification {
  static isSupported = () => true;
  constructor(options) {
    record('new Notification', options);
  }
  show() {}
}
export const dialog = { showMessageBox: async () => ({}), showErrorBox: (title, message) => record('dialog.showErrorBox', title, message), showOpenDialog: async () => ({ canceled: true, filePaths: [] }) };
export const shell = { openPath: async () => '', openExternal: async () => {}, showItemInFolder: () => {} };
