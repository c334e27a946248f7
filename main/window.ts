// The window and everything that keeps its page in its box, in one place so that a test can check
// it: the webPreferences (isolated, sandboxed, no Node), navigation and new windows refused (an
// http(s) link goes to the system's browser, anything else nowhere), permission requests denied,
// no <webview>. `secureContents` is applied to every webContents the app creates, not only this
// window's (app 'web-contents-created').
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';
import { APP_HOST, APP_SCHEME } from './protocol.ts';
import type { Bounds } from './window-state.ts';

/** The only webPreferences a Cairn window gets. */
export function webPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    // Chromium's spellchecker downloads dictionaries from Google's servers: Cairn sends nothing out.
    spellcheck: false,
  };
}

export function windowOptions(preload: string, bounds: Bounds, platform: NodeJS.Platform, icon: string | null): BrowserWindowConstructorOptions {
  return {
    ...bounds,
    minWidth: 720,
    minHeight: 480,
    title: 'Cairn',
    show: false,
    ...(icon && platform === 'linux' ? { icon } : {}),
    webPreferences: webPreferences(preload),
  };
}

/** Whether a URL is the app's own page (app://cairn/…). */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/** Whether a URL may be handed to the system's browser: http and https only (never file:, smb:, javascript:, custom schemes). */
export function isWebUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.host !== '';
  } catch {
    return false;
  }
}

/** What the guards need of a webContents. */
export interface GuardedContents {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: { preventDefault(): void; url: string }) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/**
 * Keeps a webContents on the app's page: a navigation away from app://cairn (a link without
 * target, a redirect, `location = …`) and every window.open are refused; when they name an http(s)
 * address it opens in the system's browser instead. Webviews are never attached.
 */
export function secureContents(contents: GuardedContents, openExternal: (url: string) => void): void {
  const refuse = (event: { preventDefault(): void; url: string }) => {
    if (isAppUrl(event.url)) return;
    event.preventDefault();
    if (isWebUrl(event.url)) openExternal(event.url);
  };
  contents.on('will-navigate', refuse);
  contents.on('will-redirect', refuse);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isWebUrl(url)) openExternal(url);
    return { action: 'deny' };
  });
}

/** Permissions the window may use: writing text to the clipboard (copy buttons), from its own page only. */
const ALLOWED_PERMISSIONS = new Set(['clipboard-sanitized-write']);

/** What the guards need of a session. */
export interface GuardedSession {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl?: string }) => void): void;
  setPermissionCheckHandler(handler: (contents: unknown, permission: string, requestingOrigin: string) => boolean): void;
  setDevicePermissionHandler(handler: () => boolean): void;
}

/** Denies every permission request and check (camera, microphone, geolocation, notifications, USB…) but clipboard writes from the app's page. */
export function secureSession(session: GuardedSession): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(ALLOWED_PERMISSIONS.has(permission) && isAppUrl(details.requestingUrl ?? ''));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => ALLOWED_PERMISSIONS.has(permission) && isAppUrl(requestingOrigin));
  session.setDevicePermissionHandler(() => false);
}
