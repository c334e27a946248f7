// Cairn's library for the AI tools people already use, over the Model Context Protocol: read-only
// tools to search the library, read a document (or a page, or a range of it), list the sources
// and the latest documents, and, when a chat model is set, ask Cairn itself; and every document as
// a resource (cairn://document/ID) a client can attach. Inputs are the contract's schemas; every
// result is sized to a budget in characters the client may set. Document text is passed exactly.
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { CairnError, MAX_QUERY_CHARS, SearchFilters, SearchRequest, type SearchHit, type SearchResponse, type SourceStatus } from '../contract/index.ts';
import { DocumentQuery } from '../contract/api.ts';
import { describeSource, resolveCitations, sourcesMarkdown } from '../chat/index.ts';
import type { ChatModel } from '../llm/index.ts';
import { prepareGroundedAnswer, toApiCitation } from '../server/grounded.ts';
import type { DocumentListing, ListedDocument } from '../store/index.ts';
import { assemble } from './document-text.ts';

/** What the MCP server reads: the engine, or anything with the same parts. */
export interface McpLibrary {
  search(request: SearchRequest): Promise<SearchResponse>;
  sources(): SourceStatus[];
  readonly library: { readonly listing: DocumentListing };
  chatModel(): Promise<ChatModel | { unavailable: string }>;
  chatModelConfigured(): boolean;
}

export interface McpServerOptions {
  version?: string;
  /** Offer the `ask` tool (default: when a chat model is configured). */
  ask?: boolean;
}

/** The scheme of a document's resource address and of citation ids: cairn://document/12#chunk=345. */
export const DOCUMENT_URI_PREFIX = 'cairn://document/';

const DEFAULT_SEARCH_CHARS = 8_000;
const DEFAULT_READ_CHARS = 20_000;
const MAX_CHARS = 200_000;
/** Most text one resource read returns (a client attaches it whole). */
const RESOURCE_CHARS = 200_000;

const Budget = (fallback: number) =>
  z.number().int().min(200).max(MAX_CHARS).default(fallback).describe(`Most characters of text to return (default ${fallback}, at most ${MAX_CHARS}).`);

const SearchInput = SearchRequest.pick({ query: true, mode: true, filters: true }).extend({
  query: z.string().trim().min(1, 'say what to search for').max(MAX_QUERY_CHARS).describe('What to look for: words or a question.'),
  k: z.number().int().min(1).max(50).default(8).describe('How many passages (default 8).'),
  maxChars: Budget(DEFAULT_SEARCH_CHARS),
});

const ReadInput = z.object({
  id: z
    .union([z.number().int().positive(), z.string().regex(/^(?:cairn:\/\/document\/)?\d+(?:#chunk=\d+)?$/, 'a document id (12) or a citation id (cairn://document/12#chunk=345)')])
    .describe('The document: its id, or a citation id from search (then reading starts at that passage).'),
  page: z.number().int().min(1).optional().describe('Only this page (PDFs).'),
  offset: z.number().int().min(0).optional().describe("Where to start, in characters of the document's text (from nextOffset of an earlier read)."),
  maxChars: Budget(DEFAULT_READ_CHARS),
});

const RecentInput = DocumentQuery.pick({ kind: true, sourceId: true }).extend({
  limit: z.number().int().min(1).max(100).default(20).describe('How many documents (default 20).'),
  sort: z.enum(['indexed', 'date']).default('indexed').describe("'indexed': latest added or changed; 'date': latest by their own date (email date, file time)."),
});

const AskInput = z.object({
  question: z.string().trim().min(1).max(20_000).describe('The question, in your own words.'),
  filters: SearchFilters.optional(),
  k: z.number().int().min(1).max(50).optional().describe('Passages considered.'),
});

const readOnly = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

const day = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().slice(0, 10));

export function documentUri(id: number, chunkId?: number): string {
  return `${DOCUMENT_URI_PREFIX}${id}${chunkId === undefined ? '' : `#chunk=${chunkId}`}`;
}

/** Where a passage is, for a person: "file /notes/a.pdf, page 3" or "email from Alice, 2026-11-02". */
function whereHit(hit: SearchHit): string {
  if (hit.kind === 'email') return `email${hit.from ? ` from ${hit.from}` : ''}${hit.date !== null ? `, ${day(hit.date)}` : ''}`;
  return `${hit.kind} ${hit.uri}${hit.page !== null ? `, page ${hit.page}` : ''}${hit.headingPath.length ? `, § ${hit.headingPath.join(' › ')}` : ''}`;
}

function text(result: string, structured?: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: result }], ...(structured ? { structuredContent: structured } : {}) };
}

/** A note that the budget cut something, and how to get more. */
function cutNote(what: string): string {
  return `\n\n[${what} Ask again with a larger maxChars to get more.]`;
}

export function createMcpServer(library: McpLibrary, options: McpServerOptions = {}): McpServer {
  const { listing } = library.library;
  const server = new McpServer(
    { name: 'cairn', title: 'Cairn', version: options.version ?? process.env.CAIRN_VERSION ?? 'dev' },
    {
      instructions:
        "Cairn is the user's own library: their files, PDFs and email, on this machine. Use `search` to find passages (each has a citation id), " +
        '`read_document` to read a document or a page of it, `list_sources` and `recent_documents` to see what is there. Cite passages by their citation id.',
    },
  );

  server.registerTool(
    'search',
    {
      title: 'Search the library',
      description: 'Find passages in your files and email, by keywords and meaning together. Each result has its title, where it is (path and page, or sender and date), a score and a citation id.',
      inputSchema: SearchInput,
      annotations: { title: 'Search the library', ...readOnly },
    },
    async ({ query, k, mode, filters, maxChars }) => {
      const found = await library.search({ query, k, mode, filters, snippets: 0 });
      const results: Record<string, unknown>[] = [];
      let out = found.notice ? `${found.notice}\n\n` : '';
      let cut = 0;
      for (const [i, hit] of found.hits.entries()) {
        const citation = documentUri(hit.documentId, hit.chunkId);
        const head = `[${i + 1}] ${hit.title || hit.uri} — ${whereHit(hit)} (score ${hit.score.toFixed(3)})\ncitation: ${citation}\n`;
        const room = maxChars - out.length - head.length - 2;
        if (room < 80 && results.length > 0) {
          cut = found.hits.length - i;
          break;
        }
        const passage = hit.text.length > room ? `${hit.text.slice(0, Math.max(room - 1, 0))}…` : hit.text;
        out += `${head}${passage}\n\n`;
        results.push({
          citation, documentId: hit.documentId, chunkId: hit.chunkId, title: hit.title, uri: hit.uri, kind: hit.kind, page: hit.page, headingPath: hit.headingPath,
          from: hit.from, date: hit.date, score: hit.score, text: passage, truncated: passage !== hit.text,
        });
      }
      if (found.hits.length === 0) out += 'Nothing in the library matches.';
      if (cut) out += cutNote(`${cut} more result${cut === 1 ? '' : 's'} left out to stay within ${maxChars} characters.`);
      return text(out.trimEnd(), { results, mode: found.mode, notice: found.notice, omitted: cut });
    },
  );

  server.registerTool(
    'read_document',
    {
      title: 'Read a document',
      description: "Read a document's text: all of it within the budget, one page, or from an offset on (nextOffset says where to go on). Accepts a document id or a citation id from search.",
      inputSchema: ReadInput,
      annotations: { title: 'Read a document', ...readOnly },
    },
    async ({ id, page, offset, maxChars }) => {
      const target = resolveTarget(listing, id);
      const doc = listing.detail(target.id);
      if (!doc) throw new CairnError('not-found', `No document with id ${target.id}.`);
      const extent = listing.extent(doc.id);
      // A citation of a passage OCR read leads to its page: its offset is in that page's text.
      const onPage = page ?? (target.ocr ? (target.page ?? undefined) : undefined);
      let slice;
      let pageEnd = extent.length;
      let ocr = false;
      if (onPage !== undefined) {
        if (extent.pages === null) throw new CairnError('bad-request', `${doc.title || doc.uri} has no pages: leave out page, or read from an offset.`);
        if (onPage > extent.pages) throw new CairnError('bad-request', `${doc.title || doc.uri} has ${extent.pages} pages (asked for page ${onPage}).`);
        const found = listing.pageSpans(doc.id, onPage);
        ocr = found.ocr;
        const start = offset ?? (page === undefined ? target.start : (found.spans[0]?.start ?? 0));
        slice = assemble(found.spans, start, maxChars);
        pageEnd = found.spans.at(-1)?.end ?? slice.end;
      } else {
        const start = offset ?? target.start;
        if (start > extent.length) throw new CairnError('bad-request', `The document's text is ${extent.length} characters long (asked to start at ${start}).`);
        slice = assemble(listing.spans(doc.id, start, start + maxChars), start, maxChars);
      }
      const nextOffset = slice.end < pageEnd ? slice.end : null;
      const where =
        onPage === undefined
          ? `characters ${slice.start}–${slice.end} of ${extent.length}`
          : `page ${onPage} of ${extent.pages}, ${ocr ? `characters ${slice.start}–${slice.end} of this page's ${pageEnd}, read by OCR from the page's image` : `characters ${slice.start}–${slice.end} of ${extent.length}`}`;
      const header = [
        `${doc.title || doc.uri} (${documentUri(doc.id)})`,
        doc.kind === 'email'
          ? `email from ${doc.sender ?? '?'}${doc.recipients.length ? ` to ${doc.recipients.join(', ')}` : ''}${doc.date !== null ? `, ${day(doc.date)}` : ''}`
          : `${doc.kind} ${doc.uri}`,
        where,
      ].join('\n');
      // Pages that only OCR read are not in the document's text: say how to read them.
      const scanned =
        onPage === undefined && extent.ocrPages > 0
          ? `\n[${extent.ocrPages} page${extent.ocrPages === 1 ? '' : 's'} of this document ${extent.ocrPages === 1 ? 'was' : 'were'} read by OCR and ${extent.ocrPages === 1 ? 'is' : 'are'} not in this text: read ${extent.ocrPages === 1 ? 'it' : 'them'} with page.]`
          : '';
      const status = doc.status === 'indexed' ? '' : `\n[This document is ${doc.status}${doc.reason ? `: ${doc.reason}` : ''}.]`;
      const more = nextOffset === null ? '' : `\n\n[More follows: read on with ${onPage === undefined ? '' : `page ${onPage} and `}offset ${nextOffset}.]`;
      return text(`${header}${status}${scanned}\n\n${slice.text}${more}`, {
        id: doc.id, uri: documentUri(doc.id), title: doc.title, location: doc.uri, kind: doc.kind, date: doc.date, from: doc.sender, to: doc.recipients,
        status: doc.status, page: onPage ?? null, ocr, pages: extent.pages, start: slice.start, end: slice.end, length: extent.length, nextOffset, text: slice.text,
      });
    },
  );

  server.registerTool(
    'list_sources',
    {
      title: 'List sources',
      description: 'The folders and mailboxes in the library, with how many documents each holds and what it is doing (watching, indexing, error with the reason).',
      annotations: { title: 'List sources', ...readOnly },
    },
    async () => {
      const sources = library.sources();
      const lines = sources.map((s) => {
        const state = s.state.state + (s.state.done != null && s.state.total != null ? ` ${s.state.done} of ${s.state.total}` : '') + (s.state.reason ? `: ${s.state.reason}` : '');
        return `[${s.id}] ${s.kind} ${s.name} — ${s.uri}: ${s.documents} document${s.documents === 1 ? '' : 's'}, ${state}`;
      });
      const structured = sources.map((s) => ({ id: s.id, kind: s.kind, name: s.name, uri: s.uri, documents: s.documents, state: s.state }));
      return text(lines.length ? lines.join('\n') : 'The library has no sources yet.', { sources: structured });
    },
  );

  server.registerTool(
    'recent_documents',
    {
      title: 'Recent documents',
      description: 'The latest documents in the library: latest added or changed, or latest by their own date. Filter by kind (file, email, web) or source.',
      inputSchema: RecentInput,
      annotations: { title: 'Recent documents', ...readOnly },
    },
    async ({ limit, sort, kind, sourceId }) => {
      const page = listing.page({ offset: 0, limit, sort, order: 'desc', kind, sourceId });
      const lines = page.items.map(describeDocument);
      return text(lines.length ? lines.join('\n') : 'No documents.', { total: page.total, documents: page.items.map(documentFields) });
    },
  );

  if (options.ask ?? library.chatModelConfigured()) {
    server.registerTool(
      'ask',
      {
        title: 'Ask Cairn',
        description: "Ask Cairn's own model a question about the library: it searches, reads the best passages and answers with [n] citations, listed at the end.",
        inputSchema: AskInput,
        annotations: { title: 'Ask Cairn', ...readOnly },
      },
      async ({ question, filters, k }, extra) => {
        const model = await library.chatModel();
        if ('unavailable' in model) throw new CairnError('no-chat-model', model.unavailable);
        const prepared = await prepareGroundedAnswer((request) => library.search(request), model, {
          question, history: [], filters: filters ?? {}, ...(k === undefined ? {} : { k }), signal: extra.signal,
        });
        if (!prepared.found) return text(`Nothing in the library answers this${prepared.notice ? ` (${prepared.notice})` : ''}.`, { answer: null, citations: [] });
        const { prompt } = prepared;
        const result = await model.generate(prompt.messages, { maxTokens: prompt.maxAnswerTokens, signal: extra.signal });
        const resolved = resolveCitations(result.text, prompt.sources.map((s) => s.n));
        const cited = resolved.cited.map((n) => prompt.sources.find((s) => s.n === n)!);
        return text(`${resolved.text.trim()}${cited.length ? sourcesMarkdown(cited) : ''}`, {
          answer: resolved.text.trim(),
          citations: cited.map((s) => ({ ...toApiCitation(s), citation: documentUri(s.documentId, s.chunkId), where: describeSource(s) })),
        });
      },
    );
  }

  server.registerResource(
    'document',
    new ResourceTemplate(`${DOCUMENT_URI_PREFIX}{id}`, {
      // The latest documents; any other is read by its address.
      list: async () => ({
        resources: listing.page({ offset: 0, limit: 100, sort: 'indexed', order: 'desc' }).items.map((d) => ({
          uri: documentUri(d.id),
          name: d.title || d.uri,
          mimeType: 'text/plain',
          description: describeDocument(d),
        })),
      }),
    }),
    { title: 'A document in the library', description: 'The text of a file, email or web page in the library.', mimeType: 'text/plain' },
    async (uri, variables) => {
      const id = Number(variables.id);
      const doc = Number.isInteger(id) ? listing.detail(id) : null;
      if (!doc) throw new CairnError('not-found', `No document at ${uri.href}.`);
      const { length } = listing.extent(doc.id);
      const slice = assemble(listing.spans(doc.id, 0, RESOURCE_CHARS), 0, RESOURCE_CHARS);
      const more = slice.end < length ? cutNote(`The document goes on for ${length - slice.end} more characters; read_document reads on from offset ${slice.end}.`) : '';
      return { contents: [{ uri: documentUri(doc.id), mimeType: 'text/plain', text: `${slice.text}${more}` }] };
    },
  );

  return server;
}

/** A document id, or a citation id whose passage is where reading starts. */
function resolveTarget(listing: DocumentListing, id: number | string): { id: number; start: number; page: number | null; ocr: boolean } {
  if (typeof id === 'number') return { id, start: 0, page: null, ocr: false };
  const [, doc, chunk] = /^(?:cairn:\/\/document\/)?(\d+)(?:#chunk=(\d+))?$/.exec(id)!;
  if (chunk === undefined) return { id: Number(doc), start: 0, page: null, ocr: false };
  const at = listing.chunkAt(Number(chunk));
  if (!at || at.documentId !== Number(doc)) throw new CairnError('not-found', `No passage ${id} in the library (the document may have been read again since: search again).`);
  return { id: at.documentId, start: at.start, page: at.page, ocr: at.ocr };
}

function describeDocument(d: ListedDocument): string {
  const date = day(d.date);
  return `${documentUri(d.id)}  ${d.title || d.uri} — ${d.kind} ${d.uri}${date ? `, ${date}` : ''}${d.status === 'indexed' ? '' : ` (${d.status})`}`;
}

function documentFields(d: ListedDocument): Record<string, unknown> {
  return { id: d.id, uri: documentUri(d.id), title: d.title, location: d.uri, kind: d.kind, date: d.date, indexedAt: d.indexedAt, status: d.status, size: d.size };
}

