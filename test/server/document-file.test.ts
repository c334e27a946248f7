// Web mode's GET /api/documents/<id>/file: an indexed PDF by document id, whole or by HTTP range
// (as pdf.js asks), with the same access as the rest of web mode (cookie or API token, same site
// only), answered as data never to be run as a page; anything else refused with a clear error.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ModelManager } from '../../app/llm/index.ts';
import { startWebServer, type WebServer } from '../../app/server/index.ts';
import { byteRange } from '../../app/server/web.ts';
import { Service } from '../../app/service/index.ts';
import { buildPdf } from '../fixtures/pdf.ts';
import { tempDir } from '../support/corpus.ts';

const TOKEN = 'document-file-test-token-0123';
const PDF = buildPdf({ pages: [['Ranges of bytes, as pdf.js asks for them.'], ['A second page.']] });

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('byteRange reads one range of a Range header, and leaves the rest to the whole file', () => {
  assert.deepEqual(byteRange('bytes=0-9', 100), { start: 0, end: 9 });
  assert.deepEqual(byteRange('bytes=90-', 100), { start: 90, end: 99 });
  assert.deepEqual(byteRange('bytes=90-500', 100), { start: 90, end: 99 });
  assert.deepEqual(byteRange('bytes=-10', 100), { start: 90, end: 99 });
  assert.deepEqual(byteRange('bytes=-500', 100), { start: 0, end: 99 });
  assert.equal(byteRange('bytes=100-', 100), 'unsatisfiable');
  assert.equal(byteRange('bytes=5-2', 100), 'unsatisfiable');
  assert.equal(byteRange('bytes=-0', 100), 'unsatisfiable');
  assert.equal(byteRange(undefined, 100), null);
  assert.equal(byteRange('bytes=0-1,5-6', 100), null, 'several ranges: the whole file');
  assert.equal(byteRange('pages=1-2', 100), null);
  assert.equal(byteRange('bytes=-', 100), null);
});

describe('GET /api/documents/<id>/file', { timeout: 60_000 }, () => {
  let service: Service;
  let server: WebServer;
  let base: string;
  let pdf: number;
  let note: number;
  const auth = { authorization: `Bearer ${TOKEN}` };

  before(async () => {
    const rendererDir = join(tempDir(), 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Cairn</title>');
    const dir = tempDir();
    writeFileSync(join(dir, 'ranges.pdf'), PDF);
    writeFileSync(join(dir, 'note.md'), '# Note\n\nNot a PDF.\n');
    service = await Service.open({ dbPath: join(tempDir(), 'library.db'), embedder: null, chatModel: null, live: false, models: new ModelManager({ dir: tempDir() }) });
    service.host.engine.add([dir]);
    await service.host.engine.index();
    server = await startWebServer({ service, rendererDir, apiToken: () => TOKEN, openAiApi: () => false, port: 0 });
    base = server.origin;
    const { items } = service.host.engine.library.listing.page({ offset: 0, limit: 10, sort: 'title', order: 'asc' });
    pdf = items.find((d) => d.title === 'ranges.pdf')!.id;
    note = items.find((d) => d.title === 'Note')!.id;
  });
  after(async () => {
    await server.close();
    await service.close();
  });

  test('the whole file, or the range asked for, as data that is never run as a page', async () => {
    const whole = await get(`${base}/api/documents/${pdf}/file`, auth);
    assert.equal(whole.status, 200);
    assert.deepEqual(new Uint8Array(whole.body), PDF);
    assert.equal(whole.headers['content-type'], 'application/pdf');
    assert.equal(whole.headers['content-length'], String(PDF.byteLength));
    assert.equal(whole.headers['accept-ranges'], 'bytes');
    assert.equal(whole.headers['x-content-type-options'], 'nosniff');
    assert.match(String(whole.headers['content-security-policy']), /sandbox/);
    assert.equal(whole.headers['cache-control'], 'no-store');
    assert.match(String(whole.headers['content-disposition']), /^attachment; filename\*=UTF-8''ranges\.pdf$/);

    const part = await get(`${base}/api/documents/${pdf}/file`, { ...auth, range: 'bytes=100-199' });
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'], `bytes 100-199/${PDF.byteLength}`);
    assert.deepEqual(new Uint8Array(part.body), PDF.subarray(100, 200));
    const tail = await get(`${base}/api/documents/${pdf}/file`, { ...auth, range: 'bytes=-20' });
    assert.deepEqual(new Uint8Array(tail.body), PDF.subarray(PDF.byteLength - 20));
    const beyond = await get(`${base}/api/documents/${pdf}/file`, { ...auth, range: `bytes=${PDF.byteLength}-` });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers['content-range'], `bytes */${PDF.byteLength}`);
  });

  test('the same access as web mode: signed in, from this site only', async () => {
    const port = new URL(base).port;
    const nobody = await get(`${base}/api/documents/${pdf}/file`);
    assert.equal(nobody.status, 401);
    assert.equal(nobody.body.includes(Buffer.from('%PDF')), false);
    assert.equal((await get(`${base}/api/documents/${pdf}/file`, { authorization: 'Bearer wrong-token-0123456789' })).status, 401);
    assert.equal((await get(`${base}/api/documents/${pdf}/file`, { ...auth, 'sec-fetch-site': 'cross-site' })).status, 403);
    assert.equal((await get(`${base}/api/documents/${pdf}/file`, { ...auth, host: `evil.example:${port}` })).status, 403);
  });

  test('not a PDF, no such document, no id at all: refused with what it is', async () => {
    const error = (body: Buffer) => (JSON.parse(body.toString()) as { error: { code: string; message: string } }).error;
    const md = await get(`${base}/api/documents/${note}/file`, auth);
    assert.equal(md.status, 403);
    assert.deepEqual(error(md.body).code, 'no-file');
    const missing = await get(`${base}/api/documents/999999/file`, auth);
    assert.equal(missing.status, 404);
    assert.match(error(missing.body).message, /no longer in the library/);
    assert.equal((await get(`${base}/api/documents/abc/file`, auth)).status, 404);
    assert.equal((await get(`${base}/api/documents/..%2F..%2Fetc%2Fpasswd/file`, auth)).status, 404);
    assert.equal((await get(`${base}/api/documents/0/file`, auth)).status, 404);
  });

  test("pdf.js's own files come only from its three folders of the build", async () => {
    assert.equal((await get(`${base}/pdfjs/cmaps/UniGB-UCS2-H.bcmap`, auth)).status, 404, 'not in this test build');
    assert.equal((await get(`${base}/pdfjs/other/index.html`, auth)).status, 404);
    assert.equal((await get(`${base}/pdfjs/cmaps/x.bcmap`)).status, 401);
  });
});
