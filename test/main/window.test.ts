// The window's security, checked rather than reviewed: its webPreferences, the navigation and
// new-window guards, the permission handlers, and the page's origin and Content-Security-Policy.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { APP_ORIGIN, APP_SCHEME_PRIVILEGES, APP_URL, CONTENT_SECURITY_POLICY, rendererFile, rendererHandler } from '../../main/protocol.ts';
import { isWebUrl, secureContents, secureSession, webPreferences, windowOptions, type GuardedContents, type GuardedSession } from '../../main/window.ts';
import { tempDir } from '../support/corpus.ts';

/** A webContents that keeps the guards it is given, so that the test can fire them. */
class FakeContents implements GuardedContents {
  readonly listeners = new Map<string, ((event: { preventDefault(): void; url: string }) => void)[]>();
  openHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;
  on(event: string, listener: (event: { preventDefault(): void; url: string }) => void): unknown {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
  /** Fires an event; says whether it was refused. */
  fire(event: string, url = ''): boolean {
    let prevented = false;
    for (const listener of this.listeners.get(event) ?? []) listener({ preventDefault: () => (prevented = true), url });
    return prevented;
  }
}

describe('the window', () => {
  test('is isolated, sandboxed and without Node, and keeps web security on', () => {
    const prefs = webPreferences('/app/dist/preload.cjs');
    assert.equal(prefs.preload, '/app/dist/preload.cjs');
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.nodeIntegrationInWorker, false);
    assert.equal(prefs.nodeIntegrationInSubFrames, false);
    assert.equal(prefs.webSecurity, true);
    assert.equal(prefs.allowRunningInsecureContent, false);
    assert.equal(prefs.webviewTag, false);
    assert.equal(prefs.experimentalFeatures, false);
    assert.equal(prefs.spellcheck, false, "Chromium's spellchecker would fetch dictionaries from the network");
    const options = windowOptions('/p.cjs', { width: 900, height: 700, x: 10, y: 20 }, 'linux', '/icon.png');
    assert.deepEqual(options.webPreferences, webPreferences('/p.cjs'));
    assert.deepEqual([options.x, options.y, options.width, options.height, options.show], [10, 20, 900, 700, false]);
  });

  test('navigation away from the app and window.open are refused; only http(s) links go to the system browser', () => {
    const contents = new FakeContents();
    const opened: string[] = [];
    secureContents(contents, (url) => opened.push(url));

    assert.equal(contents.fire('will-navigate', 'https://example.com/page'), true);
    assert.equal(contents.fire('will-navigate', 'file:///etc/passwd'), true);
    assert.equal(contents.fire('will-navigate', 'javascript:alert(1)'), true);
    assert.equal(contents.fire('will-redirect', 'http://evil.example/'), true);
    assert.equal(contents.fire('will-navigate', 'app://other/index.html'), true, 'another host of the scheme is not the app');
    assert.equal(contents.fire('will-navigate', `${APP_ORIGIN}/index.html#/library`), false, "the app's own page may reload");
    assert.equal(contents.fire('will-attach-webview'), true);

    assert.deepEqual(contents.openHandler?.({ url: 'https://example.com/doc' }), { action: 'deny' });
    assert.deepEqual(contents.openHandler?.({ url: 'file:///home/me/.ssh/id_rsa' }), { action: 'deny' });
    assert.deepEqual(contents.openHandler?.({ url: 'smb://server/share' }), { action: 'deny' });
    assert.deepEqual(contents.openHandler?.({ url: `${APP_ORIGIN}/index.html` }), { action: 'deny' });
    assert.deepEqual(opened, ['https://example.com/page', 'http://evil.example/', 'https://example.com/doc']);

    assert.equal(isWebUrl('https://example.com'), true);
    for (const url of ['file:///x', 'mailto:a@b.c', 'javascript:void 0', 'http:/', 'vbscript:x', 'ms-msdt:x', 'not a url']) assert.equal(isWebUrl(url), false, url);
  });

  test('permission requests and checks are denied (camera, microphone, geolocation, notifications…), clipboard writes from the app aside', () => {
    const session: { request?: Parameters<GuardedSession['setPermissionRequestHandler']>[0]; check?: Parameters<GuardedSession['setPermissionCheckHandler']>[0]; device?: () => boolean } = {};
    secureSession({
      setPermissionRequestHandler: (handler) => (session.request = handler),
      setPermissionCheckHandler: (handler) => (session.check = handler),
      setDevicePermissionHandler: (handler) => (session.device = handler),
    });
    const request = (permission: string, requestingUrl: string) => {
      let granted: boolean | null = null;
      session.request!(null, permission, (answer) => (granted = answer), { requestingUrl });
      return granted;
    };
    for (const permission of ['media', 'geolocation', 'notifications', 'midiSysex', 'openExternal', 'fullscreen', 'pointerLock', 'clipboard-read', 'hid', 'serial', 'usb', 'display-capture', 'unknown']) {
      assert.equal(request(permission, APP_URL), false, permission);
      assert.equal(session.check!(null, permission, APP_ORIGIN), false, permission);
    }
    assert.equal(request('clipboard-sanitized-write', APP_URL), true);
    assert.equal(session.check!(null, 'clipboard-sanitized-write', APP_ORIGIN), true);
    assert.equal(request('clipboard-sanitized-write', 'https://example.com/'), false);
    assert.equal(session.check!(null, 'clipboard-sanitized-write', 'https://example.com'), false);
    assert.equal(session.device!(), false);
  });
});

describe("the app's page (app://cairn)", () => {
  test('comes under a strict Content-Security-Policy: nothing remote, no eval, no inline script', () => {
    const directives = new Map(CONTENT_SECURITY_POLICY.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    assert.deepEqual(directives.get('script-src'), ["'self'"]);
    for (const name of ['object-src', 'frame-src', 'frame-ancestors', 'base-uri', 'form-action']) assert.deepEqual(directives.get(name), ["'none'"], name);
    for (const [name, values] of directives) {
      for (const value of values) {
        assert.doesNotMatch(value, /unsafe-eval|unsafe-inline|wasm-unsafe-eval|\*|^https?:|^http|^ws/, `${name} ${value}`);
        assert.ok(["'self'", "'none'", 'data:'].includes(value), `${name} allows only the app itself: ${value}`);
      }
      if (name === 'script-src' || name === 'default-src') assert.ok(!values.includes('data:'), name);
    }
    // The scheme is a real, secure origin that never bypasses the policy.
    assert.equal(APP_SCHEME_PRIVILEGES.privileges.standard, true);
    assert.equal(APP_SCHEME_PRIVILEGES.privileges.secure, true);
    assert.equal('bypassCSP' in APP_SCHEME_PRIVILEGES.privileges, false);
  });

  test('serves only the built renderer, with the policy on every answer', async () => {
    const root = join(tempDir(), 'renderer');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Cairn</title>');
    writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(root, '..', 'secret.txt'), 'not for the page');

    assert.equal(rendererFile(root, 'app://cairn/'), join(root, 'index.html'));
    assert.equal(rendererFile(root, 'app://cairn/library/documents'), join(root, 'index.html'), 'a route of the window');
    assert.equal(rendererFile(root, 'app://cairn/assets/app.js'), join(root, 'assets', 'app.js'));
    for (const url of ['app://cairn/../secret.txt', 'app://cairn/%2e%2e/secret.txt', 'app://cairn/assets/%2E%2E%2F..%2Fsecret.txt', 'app://cairn/..%5csecret.txt', 'app://other/index.html', 'file:///etc/passwd', 'app://cairn/a%00.js', 'app://cairn/%E0%A4%A']) {
      const file = rendererFile(root, url);
      assert.ok(file === null || file.startsWith(root + '/'), `${url} → ${file}`);
    }

    const handler = rendererHandler(root);
    const page = await handler(new Request('app://cairn/index.html'));
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    const script = await handler(new Request('app://cairn/assets/app.js'));
    assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(await script.text(), 'console.log(1)');
    const escaped = await handler(new Request('app://cairn/%2e%2e/secret.txt'));
    assert.equal(escaped.status, 404);
    assert.equal(escaped.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.equal((await handler(new Request('app://cairn/assets/missing.js'))).status, 404);
    assert.equal((await handler(new Request('app://cairn/index.html', { method: 'POST', body: 'x' }))).status, 405);
  });
});
