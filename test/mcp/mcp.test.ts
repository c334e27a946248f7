// Cairn as an MCP server, driven by the official SDK's own client: over stdio (`cairn mcp` as
// Claude Desktop starts it) and over Streamable HTTP (/mcp beside the local API). It lists the
// tools, searches, reads a document (a page, a range, from a citation), lists sources and recent
// documents, reads documents as resources, answers with `ask` when there is a chat model, and
// says clearly what is wrong with bad input.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Engine } from '../../app/engine.ts';
import { startApiServer, type ApiServer } from '../../app/server/index.ts';
import { chatEngine } from '../chat/library.ts';
import { ScriptedChatModel } from '../support/scripted-chat-model.ts';

const main = resolve(import.meta.dirname, '..', '..', 'app', 'cli', 'main.ts');
const TOKEN = 'mcp-test-token-0123456789';
/** Text with a terminal escape and a bidi override: JSON carries it exactly, never escaped for a terminal. */
const HOSTILE = 'Colours \x1b[31mred\x1b[0m and \u202eright-to-left\u202c stay as written.';

/** The library of the chat tests, plus a note with control codes in it. */
async function library(options: Parameters<typeof chatEngine>[0] = {}): Promise<{ engine: Engine; dbPath: string; dir: string }> {
  const made = await chatEngine(options);
  writeFileSync(join(made.dir, 'notes', 'colours.md'), `# Colours\n\n${HOSTILE}\n`);
  made.engine.add([made.dir]);
  await made.engine.index();
  return made;
}

function textOf(result: unknown): string {
  const content = (result as CallToolResult).content;
  return content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

interface Hit {
  citation: string;
  documentId: number;
  title: string;
  uri: string;
  kind: string;
  page: number | null;
  score: number;
  text: string;
}

describe('cairn mcp over stdio, with the SDK client', () => {
  let client: Client;
  let stderr = '';

  before(async () => {
    const { engine, dbPath } = await library();
    await engine.close();
    const transport = new StdioClientTransport({ command: process.execPath, args: [main, '--db', dbPath, 'mcp'], stderr: 'pipe' });
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    client = new Client({ name: 'cairn-test', version: '1.0.0' });
    await client.connect(transport);
  });
  after(async () => {
    await client?.close();
  });

  test('lists the read-only tools (no ask without a chat model) and says what the server is', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['list_sources', 'read_document', 'recent_documents', 'search']);
    for (const tool of tools) {
      assert.equal(tool.annotations?.readOnlyHint, true, `${tool.name} is read-only`);
      assert.equal(tool.annotations?.destructiveHint, false);
    }
    const search = tools.find((t) => t.name === 'search')!;
    assert.deepEqual(search.inputSchema.required, ['query']);
    const properties = search.inputSchema.properties as Record<string, { type?: string; properties?: Record<string, unknown> }>;
    assert.ok(properties.filters?.properties?.dateFrom, "the contract's filters, dates included");
    assert.equal(client.getServerVersion()?.name, 'cairn');
    assert.match(client.getInstructions() ?? '', /citation id/);
    assert.match(stderr, /Cairn MCP server on stdio/, 'notes go to stderr, never into the protocol');
  });

  test('search finds passages with title, place, score and a citation id; read_document reads from it', async () => {
    const result = await client.callTool({ name: 'search', arguments: { query: 'contract terminated notice', k: 3 } });
    assert.equal(result.isError, undefined, textOf(result));
    const hits = (result.structuredContent as { results: Hit[] }).results;
    assert.ok(hits.length >= 1);
    const contract = hits[0]!;
    assert.equal(contract.title, 'Contract');
    assert.match(contract.uri, /notes[/\\]contract\.md$/);
    assert.match(contract.citation, /^cairn:\/\/document\/\d+#chunk=\d+$/);
    assert.ok(contract.score > 0);
    assert.match(textOf(result), /\[1\] Contract — file .*contract\.md, § Contract \(score [\d.]+\)\ncitation: cairn:\/\/document\/\d+#chunk=\d+\n.*thirty days notice/s);
    assert.match(textOf(result), /^No embedding model is configured\. Keyword search only\./, 'how the search ran');

    const read = await client.callTool({ name: 'read_document', arguments: { id: contract.citation } });
    assert.equal(read.isError, undefined, textOf(read));
    assert.match(textOf(read), /^Contract \(cairn:\/\/document\/\d+\)\nfile .*contract\.md\ncharacters 0–\d+ of \d+\n\n.*The contract may be terminated with thirty days notice by either party\./s);
    assert.equal((read.structuredContent as { nextOffset: number | null }).nextOffset, null);
    // By id too.
    const byId = await client.callTool({ name: 'read_document', arguments: { id: contract.documentId } });
    assert.equal((byId.structuredContent as { text: string }).text, (read.structuredContent as { text: string }).text);
  });

  test('a small budget cuts results and text, and says how to get the rest', async () => {
    const search = await client.callTool({ name: 'search', arguments: { query: 'filler', k: 8, maxChars: 300 } });
    assert.ok(textOf(search).length <= 420, `about the budget: ${textOf(search).length}`);
    assert.ok((search.structuredContent as { omitted: number }).omitted > 0);
    assert.match(textOf(search), /more results? left out to stay within 300 characters\. Ask again with a larger maxChars/);

    const first = await client.callTool({ name: 'search', arguments: { query: 'filler' } });
    const id = (first.structuredContent as { results: Hit[] }).results[0]!.documentId;
    const whole = (await client.callTool({ name: 'read_document', arguments: { id } })).structuredContent as { text: string; length: number };
    const part = (await client.callTool({ name: 'read_document', arguments: { id, maxChars: 200 } })).structuredContent as { text: string; nextOffset: number; end: number };
    assert.equal(part.text.length, 200);
    assert.equal(part.nextOffset, 200);
    const rest = (await client.callTool({ name: 'read_document', arguments: { id, offset: part.nextOffset, maxChars: 200_000 } })).structuredContent as { text: string; nextOffset: null };
    assert.equal(part.text + rest.text, whole.text, 'read on from nextOffset, nothing lost or repeated');
    assert.equal(rest.nextOffset, null);
  });

  test('text from documents comes back exact (control codes are not escaped in JSON)', async () => {
    const found = await client.callTool({ name: 'search', arguments: { query: 'colours right-to-left' } });
    const hit = (found.structuredContent as { results: Hit[] }).results.find((h) => h.title === 'Colours')!;
    assert.ok(hit.text.includes(HOSTILE));
    const read = await client.callTool({ name: 'read_document', arguments: { id: hit.documentId } });
    assert.ok(textOf(read).includes(HOSTILE));
  });

  test('list_sources and recent_documents say what is in the library', async () => {
    const sources = await client.callTool({ name: 'list_sources', arguments: {} });
    const list = (sources.structuredContent as { sources: { kind: string; documents: number }[] }).sources;
    assert.equal(list.length, 1);
    assert.ok(list[0]!.documents >= 12);
    assert.match(textOf(sources), /^\[\d+\] import .* \d+ documents, idle/);

    const recent = await client.callTool({ name: 'recent_documents', arguments: { limit: 3, kind: 'email' } });
    const documents = (recent.structuredContent as { documents: { title: string; kind: string; uri: string }[] }).documents;
    assert.deepEqual(documents.map((d) => [d.title, d.kind]), [['Invoice for October', 'email']]);
    assert.match(textOf(recent), /^cairn:\/\/document\/\d+ {2}Invoice for October — email /);
  });

  test('documents are resources a client can list and read', async () => {
    const { resourceTemplates } = await client.listResourceTemplates();
    assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate), ['cairn://document/{id}']);
    const { resources } = await client.listResources();
    const contract = resources.find((r) => r.name === 'Contract')!;
    assert.match(contract.uri, /^cairn:\/\/document\/\d+$/);
    const read = await client.readResource({ uri: contract.uri });
    const first = read.contents[0] as { uri: string; mimeType: string; text: string };
    assert.equal(first.mimeType, 'text/plain');
    assert.match(first.text, /thirty days notice/);
    await assert.rejects(client.readResource({ uri: 'cairn://document/999999' }), /No document at cairn:\/\/document\/999999/);
  });

  test('bad input gets a clear error, not a crash', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['search', { query: '' }, /Invalid arguments for tool search.*say what to search for/s],
      ['search', { query: 'x', k: 0 }, /Invalid arguments for tool search/],
      ['search', { query: 'x', filters: { dateFrom: 'someday' } }, /not a date: someday/],
      ['read_document', { id: 999999 }, /No document with id 999999/],
      ['read_document', { id: 'cairn://document/1#chunk=999999' }, /No passage cairn:\/\/document\/1#chunk=999999/],
      ['read_document', { id: 'not an id' }, /a document id \(12\) or a citation id/],
      ['read_document', { id: 1, page: 3 }, /has no pages/],
      ['recent_documents', { kind: 'fax' }, /Invalid arguments for tool recent_documents/],
    ];
    for (const [name, args, message] of cases) {
      const result = await client.callTool({ name, arguments: args });
      assert.equal(result.isError, true, `${name} ${JSON.stringify(args)}`);
      assert.match(textOf(result), message);
    }
    // The server is still there.
    assert.equal((await client.listTools()).tools.length, 4);
  });
});

describe('MCP over Streamable HTTP at /mcp, behind the API token', () => {
  let engine: Engine;
  let server: ApiServer;
  const model = new ScriptedChatModel([(messages) => (/contract/i.test(messages.at(-1)!.content) ? 'Thirty days notice ends it [1].' : 'No idea.')]);

  before(async () => {
    ({ engine } = await library({ chatModel: model }));
    server = await startApiServer({ engine, token: TOKEN, port: 0 });
  });
  after(async () => {
    await server?.close();
    await engine?.close();
  });

  const connect = async (token: string | null) => {
    const client = new Client({ name: 'cairn-test', version: '1.0.0' });
    const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.origin}/mcp`), { requestInit: { headers } }));
    return client;
  };

  test('lists the tools, ask included when there is a chat model, and answers with citations', async () => {
    const client = await connect(TOKEN);
    try {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), ['ask', 'list_sources', 'read_document', 'recent_documents', 'search']);
      const found = await client.callTool({ name: 'search', arguments: { query: 'invoice October' } });
      assert.equal((found.structuredContent as { results: Hit[] }).results[0]!.title, 'Invoice for October');
      assert.match(textOf(found), /email from Alice Smith <alice@example\.com>, 2026-11-02/);
      const asked = await client.callTool({ name: 'ask', arguments: { question: 'How can the contract be ended?' } });
      assert.equal(asked.isError, undefined, textOf(asked));
      assert.match(textOf(asked), /^Thirty days notice ends it \[1\]\.\n\n\*\*Sources\*\*\n\n- \[1\] Contract — file .*contract\.md/);
      const citations = (asked.structuredContent as { citations: { title: string; citation: string }[] }).citations;
      assert.equal(citations[0]!.title, 'Contract');
      assert.match(citations[0]!.citation, /^cairn:\/\/document\/\d+#chunk=\d+$/);
      const bad = await client.callTool({ name: 'ask', arguments: { question: '' } });
      assert.equal(bad.isError, true);
    } finally {
      await client.close();
    }
  });

  test('without the token, or with a wrong one, nothing is served', async () => {
    await assert.rejects(connect(null), /401|Missing API token/);
    await assert.rejects(connect('wrong-token-0123456789'), /401|not right/);
    const get = await fetch(`${server.origin}/mcp`, { headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/event-stream' } });
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
  });
});
