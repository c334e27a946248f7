// Main's answers to desktop.* with the system (shell, dialogs, viewers) faked: a document's file
// opens in its viewer (at its page where the viewer can be told one), files that could run as
// programs are only shown in the file manager, attachments open the file they came in, mail with
// no file and missing files are said plainly, only http(s) links leave the app, and bad requests
// are refused like the engine refuses them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DocumentDetail } from '../../app/contract/api.ts';
import { CairnError } from '../../app/contract/errors.ts';
import { answerDesktop, type DesktopDeps } from '../../main/desktop-actions.ts';
import { isViewable, pageCommand } from '../../main/viewer.ts';

function doc(id: number, fields: Partial<DocumentDetail>): DocumentDetail {
  return {
    id, sourceId: 1, uri: `file:///docs/${id}`, path: null, kind: 'file', title: `Doc ${id}`, mime: null, size: 10, date: null, indexedAt: 1, status: 'indexed',
    code: null, reason: null, chunks: 1, children: 0, parentId: null, metadata: {}, sender: null, recipients: [], chunkList: [], chunksTotal: 1, childList: [],
    ...fields,
  };
}

const library = new Map<number, DocumentDetail>([
  [1, doc(1, { path: '/docs/report.pdf', title: 'Report' })],
  [2, doc(2, { path: '/docs/deploy.sh', title: 'deploy.sh' })],
  [3, doc(3, { path: '/docs/mail.eml', kind: 'email', title: 'Invoice mail' })],
  [4, doc(4, { parentId: 3, title: 'invoice.pdf' })],
  [5, doc(5, { kind: 'email', uri: 'imap://me@example.com/INBOX;UIDVALIDITY=1/;UID=7', title: 'Hello' })],
  [6, doc(6, { kind: 'web', uri: 'https://example.com/article', title: 'Article' })],
  [7, doc(7, { path: '/docs/gone.docx', title: 'Gone' })],
  [8, doc(8, { path: '/docs/notes.md', title: 'Notes' })],
]);

function system(options: { pageViewer?: boolean } = {}) {
  const done: string[] = [];
  const deps: DesktopDeps = {
    platform: 'linux',
    document: async (id) => {
      const found = library.get(id);
      if (!found) throw new CairnError('not-found', `No document with id ${id}.`);
      return found;
    },
    exists: (path) => path !== '/docs/gone.docx',
    openPath: async (path) => {
      done.push(`open ${path}`);
      return '';
    },
    showItemInFolder: (path) => done.push(`reveal ${path}`),
    openExternal: async (url) => {
      done.push(`browser ${url}`);
    },
    openAtPage: async (path, page) => {
      if (!options.pageViewer) return false;
      done.push(`open ${path} at ${page}`);
      return true;
    },
    choose: async (params) => {
      done.push(`dialog ${JSON.stringify(params)}`);
      return params.pick === 'folders' ? ['/home/me/Notes'] : [];
    },
  };
  let id = 0;
  const call = async (method: string, params?: unknown) => answerDesktop({ type: 'request', id: ++id, method, params }, deps);
  const result = async (method: string, params?: unknown) => {
    const response = await call(method, params);
    assert.ok('result' in response, `${method}: ${JSON.stringify(response)}`);
    return response.result;
  };
  const error = async (method: string, params?: unknown) => {
    const response = await call(method, params);
    assert.ok('error' in response, `${method} should fail: ${JSON.stringify(response)}`);
    return response.error;
  };
  return { done, call, result, error };
}

describe('desktop actions in main', () => {
  test('desktop.info says they are available here, and on which system', async () => {
    assert.deepEqual(await system().result('desktop.info'), { available: true, platform: 'linux' });
  });

  test('a PDF opens at its page where the viewer can be told one, else at its start with a note', async () => {
    const withPages = system({ pageViewer: true });
    assert.deepEqual(await withPages.result('desktop.openDocument', { id: 1, page: 12 }), { shown: 'opened', atPage: true, note: null });
    assert.deepEqual(withPages.done, ['open /docs/report.pdf at 12']);
    const plain = system();
    assert.deepEqual(await plain.result('desktop.openDocument', { id: 1, page: 12 }), {
      shown: 'opened', atPage: false, note: "Opened at its start: the system's viewer cannot be told to go to page 12.",
    });
    assert.deepEqual(await plain.result('desktop.openDocument', { id: 8 }), { shown: 'opened', atPage: false, note: null });
    assert.deepEqual(plain.done, ['open /docs/report.pdf', 'open /docs/notes.md']);
  });

  test('a file that could run as a program is shown in the file manager, never opened', async () => {
    const s = system();
    const shown = await s.result('desktop.openDocument', { id: 2 });
    assert.deepEqual(s.done, ['reveal /docs/deploy.sh']);
    assert.equal((shown as { shown: string }).shown, 'revealed');
    assert.match((shown as { note: string }).note, /does not open files that could run as programs/);
    for (const name of ['a.bat', 'a.cmd', 'a.ps1', 'a.js', 'a.vbs', 'a.exe', 'a.desktop', 'a.command', 'a.app', 'a.sh', 'a.py', 'Makefile', 'a.jar', 'a.lnk', 'a.url']) assert.equal(isViewable(`/x/${name}`), false, name);
    for (const name of ['a.pdf', 'a.DOCX', 'a.md', 'a.eml', 'a.html', 'a.txt', 'a.xlsx', 'a.png']) assert.equal(isViewable(`/x/${name}`), true, name);
  });

  test('an attachment opens the file it came in; mail kept on the server and missing files are said plainly; a web page opens in the browser', async () => {
    const s = system();
    const attachment = await s.result('desktop.openDocument', { id: 4, page: 2 });
    assert.deepEqual(attachment, { shown: 'opened', atPage: false, note: "Opened Invoice mail, the file it came in. Opened at its start: the system's viewer cannot be told to go to page 2." });
    assert.deepEqual(await s.error('desktop.openDocument', { id: 5 }), { code: 'no-file', message: 'This email is kept in your mail account, not in a file on this computer: there is no file to open.' });
    assert.deepEqual(await s.error('desktop.revealDocument', { id: 5 }), { code: 'no-file', message: 'This email is kept in your mail account, not in a file on this computer: there is no file to open.' });
    assert.deepEqual(await s.error('desktop.openDocument', { id: 7 }), { code: 'file-missing', message: '/docs/gone.docx is no longer there (moved or deleted?).' });
    assert.deepEqual(await s.result('desktop.openDocument', { id: 6 }), { shown: 'opened', atPage: false, note: null });
    assert.deepEqual(await s.result('desktop.revealDocument', { id: 4 }), { shown: 'revealed', atPage: false, note: 'Showing Invoice mail, the file it came in.' });
    assert.deepEqual(s.done, ['open /docs/mail.eml', 'browser https://example.com/article', 'reveal /docs/mail.eml']);
    assert.deepEqual(await s.error('desktop.openDocument', { id: 99 }), { code: 'not-found', message: 'No document with id 99.' });
  });

  test('links: only http(s) leave the app; dialogs answer the chosen paths or none', async () => {
    const s = system();
    assert.deepEqual(await s.result('desktop.openExternal', { url: 'https://example.com/x?y=1' }), { opened: true });
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'ms-msdt:/id', 'not a url']) {
      assert.equal((await s.error('desktop.openExternal', { url })).code, 'bad-params', url);
    }
    assert.deepEqual(await s.result('desktop.choosePaths', { pick: 'folders', multiple: false, title: 'Watch a folder' }), { paths: ['/home/me/Notes'] });
    assert.deepEqual(await s.result('desktop.choosePaths', { pick: 'files', extensions: ['gguf'] }), { paths: [] });
    assert.equal((await s.error('desktop.choosePaths', { pick: 'files', extensions: ['../x'] })).code, 'bad-params');
    assert.deepEqual(s.done, [
      'browser https://example.com/x?y=1',
      'dialog {"pick":"folders","multiple":false,"title":"Watch a folder"}',
      'dialog {"pick":"files","multiple":true,"extensions":["gguf"]}',
    ]);
  });

  test('requests are checked like the engine checks them: unknown methods, bad params, malformed messages', async () => {
    const s = system();
    assert.equal((await s.error('library.status')).code, 'unknown-method', 'main answers desktop.* only');
    assert.equal((await s.error('desktop.nope')).code, 'unknown-method');
    assert.equal((await s.error('desktop.openDocument', { id: -1 })).code, 'bad-params');
    assert.deepEqual((await answerDesktop({ hello: 1 }, {} as DesktopDeps)).type, 'response');
    assert.equal(((await answerDesktop('junk', {} as DesktopDeps)) as { error: { code: string } }).error.code, 'bad-message');
  });

  test('Linux PDF viewers that take a page are started at it', () => {
    assert.deepEqual(pageCommand('org.gnome.Evince.desktop', '/d/a.pdf', 7), { command: 'evince', args: ['--page-index=7', '/d/a.pdf'] });
    assert.deepEqual(pageCommand('okularApplication_pdf.desktop', '/d/a.pdf', 7), { command: 'okular', args: ['--page', '7', '/d/a.pdf'] });
    assert.deepEqual(pageCommand('org.pwmt.zathura.desktop', '/d/a.pdf', 7), { command: 'zathura', args: ['--page=7', '/d/a.pdf'] });
    assert.equal(pageCommand('firefox.desktop', '/d/a.pdf', 7), null);
  });
});
