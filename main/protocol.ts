// The window's page is served from the app's own scheme, app://cairn/, not file://: a real origin
// that nothing else shares, so that the Content-Security-Policy, navigation checks and permission
// checks can all say "this origin and nothing else", and no page can read other files from disk.
// Only the built renderer (dist/renderer) is served, under a strict policy: scripts, styles and
// fonts from the app itself, no eval, no inline script, no remote content of any kind.
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'cairn';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/** Registered before the app is ready (protocol.registerSchemesAsPrivileged): standard and secure like https; never bypasses the CSP. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true },
};

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "worker-src 'self'",
].join('; ');

const HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The file under `root` an app:// URL names, or null when it names nothing there: another host,
 * a path that leaves the folder (`..`, encoded or not), a NUL. A path without an extension is a
 * route of the window and gets index.html.
 */
export function rendererFile(root: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  if (path === '/' || path === '' || !extname(path)) path = '/index.html';
  const base = normalize(root).replace(/[\\/]+$/, '');
  const file = normalize(join(base, path));
  return file.startsWith(base + sep) ? file : null;
}

/** The handler for protocol.handle('app', …): the renderer's files with the policy, 404 for anything else. */
export function rendererHandler(root: string, read: (path: string) => Promise<Uint8Array> = readFile): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405, headers: HEADERS });
    const file = rendererFile(root, request.url);
    if (!file) return new Response('Not found', { status: 404, headers: HEADERS });
    let body: Uint8Array;
    try {
      body = await read(file);
    } catch {
      return new Response('Not found', { status: 404, headers: HEADERS });
    }
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers: { ...HEADERS, 'Content-Type': type } });
  };
}
