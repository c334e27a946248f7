// read_document over a scanned PDF: the text OCR read has its offsets in each page's own text,
// so the MCP tool reads it page by page (a citation of such a passage leads to its page) and a
// read of the whole document says which pages are only there; it never splices page offsets
// into the document's own text.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Engine } from '../../app/engine.ts';
import { startApiServer, type ApiServer } from '../../app/server/index.ts';
import { buildPdf } from '../fixtures/pdf.ts';
import { scannedPdf } from '../fixtures/scan.ts';
import { tempDir } from '../support/corpus.ts';

const TOKEN = 'mcp-ocr-test-token-0123456789';

interface Read {
  text: string;
  page: number | null;
  ocr: boolean;
  length: number;
  nextOffset: number | null;
}

describe('read_document on a scanned PDF', { timeout: 180_000 }, () => {
  let engine: Engine;
  let server: ApiServer;
  let client: Client;

  before(async () => {
    const dir = tempDir();
    // Both pages of the lease are scans (images, no text layer).
    writeFileSync(join(dir, 'lease.pdf'), scannedPdf([{ lines: ['Tenancy agreement'] }, { lines: ['The tenant keeps a pet quokka', 'in the garden shed.'] }]));
    writeFileSync(join(dir, 'notes.pdf'), buildPdf({ pages: [['Typed notes about the harbour.']] }));
    engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder: null });
    engine.add([dir]);
    await engine.index();
    server = await startApiServer({ engine, token: TOKEN, port: 0 });
    client = new Client({ name: 'cairn-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.origin}/mcp`), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }));
  });
  after(async () => {
    await client?.close();
    await server?.close();
    await engine?.close();
  });

  const call = async (args: Record<string, unknown>) => {
    const result = (await client.callTool({ name: 'read_document', arguments: args })) as CallToolResult;
    const text = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
    return { text, read: result.structuredContent as unknown as Read };
  };

  test('a page OCR read comes whole in its own offsets; the whole document says the scanned pages are read by page', async () => {
    const found = await engine.search({ query: 'quokka garden shed', mode: 'bm25' });
    const hit = found.hits.find((h) => h.uri.endsWith('lease.pdf'));
    assert.ok(hit && hit.ocr && hit.page === 2, JSON.stringify(found.hits));

    const page = await call({ id: hit.documentId, page: 2 });
    assert.equal(page.read.ocr, true);
    assert.match(page.read.text, /quokka/);
    assert.match(page.read.text, /garden shed/);
    assert.doesNotMatch(page.read.text, /Tenancy/, 'only page 2');
    assert.match(page.text, /read by OCR/);

    // From the citation: its page, not the document's text at the page's offset.
    const cited = await call({ id: `cairn://document/${hit.documentId}#chunk=${hit.chunkId}` });
    assert.equal(cited.read.page, 2);
    assert.match(cited.read.text, /quokka/);

    // The whole document: its own text (none: every page is a scan) and a note on the pages OCR read.
    const whole = await call({ id: hit.documentId });
    assert.equal(whole.read.ocr, false);
    assert.doesNotMatch(whole.read.text, /quokka/);
    assert.match(whole.text, /2 pages of this document were read by OCR/);
  });

  test('a typed PDF reads as before: no OCR note, its page from its text layer', async () => {
    const found = await engine.search({ query: 'harbour', mode: 'bm25' });
    const hit = found.hits.find((h) => h.uri.endsWith('notes.pdf'));
    assert.ok(hit, JSON.stringify(found.hits));
    const whole = await call({ id: hit.documentId });
    assert.match(whole.read.text, /Typed notes about the harbour/);
    assert.doesNotMatch(whole.text, /OCR/);
    const page = await call({ id: hit.documentId, page: 1 });
    assert.equal(page.read.ocr, false);
    assert.match(page.read.text, /Typed notes/);
  });
});
