// The web step of an answer: ask the chosen provider (or the cache), read the top pages at once
// under one deadline, rank their chunks against the question, and say plainly what went wrong
// when something did. Also keeps a page in the library on request ("save to library").
import { createHash } from 'node:crypto';
import type { SearchHit } from '../contract/index.ts';
import { approximateTokens, chunkSections } from '../chunk/index.ts';
import type { Embedder } from '../embed/index.ts';
import type { EmbeddingTarget } from '../index/index.ts';
import { analyze, makeSnippet, queryTerms } from '../search/index.ts';
import type { Library } from '../store/index.ts';
import { WebCache, type CacheTtl } from './cache.ts';
import { publicAddressesOnly, refusedWithoutLookup, systemResolve, type AddressPolicy, type Resolve } from './addresses.ts';
import { defaultFetchLimits, fetchPage, type FetchLimits, type SkipCode } from './fetcher.ts';
import { createProvider, PROVIDER_LABELS } from './providers.ts';
import { rankChunks, type RankOptions, type WebChunk } from './rank.ts';
import { readPage, type ReadPage } from './reader.ts';
import { WEB_SEARCH_SETTING, WebError, WebSearchSetting, networkError, type SecretSource, type WebSearchProvider, type WebSearchResult } from './types.ts';

export interface WebSearchOptions {
  library: Library;
  secrets: SecretSource;
  /** The library's embedder, when one is configured (for ranking by meaning and chunk sizes). */
  embedder?: () => Embedder | null;
  /** Results asked of the provider. */
  results?: number;
  /** Pages read per question (the top results). */
  pages?: number;
  /** The whole web step, search and pages, must finish within this. */
  deadlineMs?: number;
  fetch?: Partial<FetchLimits>;
  /** Tests only: which addresses pages may be read from (default: public ones only) and how names resolve. */
  addressPolicy?: AddressPolicy;
  resolve?: Resolve;
  ttl?: Partial<CacheTtl>;
  rank?: Partial<Omit<RankOptions, 'embedder' | 'signal'>>;
}

export interface PageReport {
  url: string;
  /** The search result's title, or the page's own once read. */
  title: string;
  read: boolean;
  fromCache: boolean;
  /** Read only up to the size cap. */
  truncated: boolean;
  code: SkipCode | null;
  reason: string | null;
}

export interface WebLookup {
  /** The provider, for people ('SearXNG'); null when none is set. */
  provider: string | null;
  query: string;
  results: WebSearchResult[];
  resultsFromCache: boolean;
  pages: PageReport[];
  /** The best chunks of the pages read, best first. */
  chunks: WebChunk[];
  /** One line on what went wrong with the web part, or null when nothing did. */
  notice: string | null;
  error: WebError | null;
}

export const DEFAULT_WEB_DEADLINE_MS = 8_000;

/** Secrets from the environment, for the command line: CAIRN_WEB_API_KEY holds the provider's key. */
export function envSecrets(apiKey = process.env.CAIRN_WEB_API_KEY): SecretSource {
  return { getSecret: (name) => (name.startsWith('web-search.') ? apiKey : undefined) };
}

export class WebSearch {
  private readonly library: Library;
  private readonly secrets: SecretSource;
  private readonly embedder: () => Embedder | null;
  private readonly cache: WebCache;
  private readonly resultCount: number;
  private readonly pageCount: number;
  readonly deadlineMs: number;
  private readonly fetchOptions: { limits: FetchLimits; addressPolicy: AddressPolicy; resolve: Resolve };
  private readonly rankOptions: Partial<RankOptions>;

  constructor(options: WebSearchOptions) {
    this.library = options.library;
    this.secrets = options.secrets;
    this.embedder = options.embedder ?? (() => null);
    this.cache = new WebCache(options.library, options.ttl);
    this.resultCount = options.results ?? 8;
    this.pageCount = options.pages ?? 3;
    this.deadlineMs = options.deadlineMs ?? DEFAULT_WEB_DEADLINE_MS;
    this.fetchOptions = {
      limits: { ...defaultFetchLimits, ...options.fetch },
      addressPolicy: options.addressPolicy ?? publicAddressesOnly,
      resolve: options.resolve ?? systemResolve,
    };
    this.rankOptions = options.rank ?? {};
  }

  /** The provider setting, or null when web search is not set up. */
  setting(): WebSearchSetting | null {
    const raw = this.library.settings.get<unknown>(WEB_SEARCH_SETTING);
    const parsed = WebSearchSetting.safeParse(raw);
    return raw !== undefined && parsed.success ? parsed.data : null;
  }

  /** Chooses the provider (checked: SearXNG needs its address). */
  setProvider(setting: WebSearchSetting): WebSearchSetting {
    const parsed = WebSearchSetting.parse(setting);
    createProvider(parsed, this.secrets);
    this.library.settings.set(WEB_SEARCH_SETTING, parsed);
    return parsed;
  }

  clearProvider(): void {
    this.library.settings.delete(WEB_SEARCH_SETTING);
  }

  /** Searches, reads the top pages and ranks their chunks, all within the deadline. Never throws. */
  async lookup(query: string, signal?: AbortSignal): Promise<WebLookup> {
    const deadline = AbortSignal.timeout(this.deadlineMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    const outcome: WebLookup = { provider: null, query, results: [], resultsFromCache: false, pages: [], chunks: [], notice: null, error: null };
    let timer: NodeJS.Timeout | undefined;
    // Fetches stop at the deadline by themselves; this bounds whatever cannot be interrupted (PDF reading).
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.deadlineMs + 1_000);
    });
    try {
      const work = this.run(query, combined, deadline, outcome).then(() => 'done' as const);
      work.catch(() => {}); // once past the deadline, a late failure has no one left to tell
      const done = await Promise.race([work, late]);
      if (done === 'late') fail(outcome, new WebError('web-deadline', `The web search took longer than ${seconds(this.deadlineMs)}.`));
    } catch (error) {
      fail(outcome, error instanceof WebError ? error : deadline.aborted ? new WebError('web-deadline', `The web search took longer than ${seconds(this.deadlineMs)}.`) : networkError(outcome.provider ?? 'The web search', error));
    } finally {
      clearTimeout(timer);
    }
    if (!outcome.error && outcome.results.length > 0 && !outcome.pages.some((p) => p.read)) {
      outcome.notice = `No web page could be read (${outcome.pages.map((p) => `${host(p.url)}: ${p.reason}`).join('; ')}); answered from your library only.`;
    } else if (!outcome.error && outcome.pages.some((p) => p.code === 'deadline')) {
      const missed = outcome.pages.filter((p) => p.code === 'deadline').length;
      outcome.notice = `The web search reached its ${seconds(this.deadlineMs)} deadline: ${missed} of ${outcome.pages.length} pages were not read.`;
    }
    return outcome;
  }

  private async run(query: string, signal: AbortSignal, deadline: AbortSignal, outcome: WebLookup): Promise<void> {
    this.cache.prune();
    const setting = this.setting();
    if (!setting) throw new WebError('web-not-configured', 'Web search is not set up (choose a provider with `cairn web set <provider>`).');
    const provider: WebSearchProvider = createProvider(setting, this.secrets);
    outcome.provider = PROVIDER_LABELS[setting.provider];
    const cached = this.cache.search(provider.key, query);
    if (cached) {
      outcome.results = cached;
      outcome.resultsFromCache = true;
    } else {
      try {
        outcome.results = await provider.search(query, { count: this.resultCount, signal });
      } catch (error) {
        if (deadline.aborted) throw new WebError('web-deadline', `${provider.label} did not answer within ${seconds(this.deadlineMs)}.`);
        throw error;
      }
      this.cache.putSearch(provider.key, query, outcome.results);
    }
    // The top results at once; for each that cannot be read, the next result, until enough are read.
    const pages: Extract<ReadPage, { ok: true }>[] = [];
    let next = 0;
    while (pages.length < this.pageCount && next < outcome.results.length && !signal.aborted) {
      const batch = outcome.results.slice(next, next + this.pageCount - pages.length);
      next += batch.length;
      const read = await Promise.all(batch.map((result) => this.page(result.url, signal)));
      batch.forEach((result, i) => {
        const { page, fromCache } = read[i]!;
        if (page.ok) pages.push(page);
        outcome.pages.push(
          page.ok
            ? { url: result.url, title: page.title, read: true, fromCache, truncated: page.truncated, code: null, reason: null }
            : { url: result.url, title: result.title, read: false, fromCache, truncated: false, code: page.code, reason: page.reason },
        );
      });
    }
    outcome.chunks = await rankChunks(query, pages, { ...this.rankOptions, embedder: this.embedder(), signal });
  }

  /** A page read now or from the cache (unless the cached one came from an address now refused). */
  private async page(url: string, signal: AbortSignal): Promise<{ page: ReadPage; fromCache: boolean }> {
    const cached = this.cache.page(url);
    const { addressPolicy } = this.fetchOptions;
    if (cached && ![url, cached.url].some((u) => refusedWithoutLookup(u, addressPolicy))) return { page: cached, fromCache: true };
    const page = await readPage(await fetchPage(url, { ...this.fetchOptions, signal }));
    this.cache.putPage(url, page);
    return { page, fromCache: false };
  }

  /**
   * The web part of an answer: ranked chunks as search hits (kind 'web'; negative chunk ids, as
   * they are not in the library) and the line to show when something went wrong. Never throws.
   */
  async forAnswer(query: string, signal?: AbortSignal): Promise<{ hits: SearchHit[]; notice: string | null }> {
    const lookup = await this.lookup(query, signal);
    const terms = queryTerms(query);
    const hits = lookup.chunks.map((chunk, i): SearchHit => ({
      chunkId: -(i + 1), documentId: 0, uri: chunk.url, title: chunk.title, kind: 'web', page: chunk.page, headingPath: chunk.headingPath,
      text: chunk.text, ...makeSnippet(chunk.text, terms), score: chunk.score, ranks: chunk.ranks, date: null, from: null,
    }));
    return { hits, notice: lookup.notice };
  }

  /**
   * Keeps a web page in the library as a document (source kind 'web', document kind 'web') with its
   * chunks, full-text rows and, given a target, its vectors, in one transaction. Only this page is
   * embedded; without a target its vectors follow with the next indexing run.
   */
  async save(url: string, signal?: AbortSignal, target: EmbeddingTarget | null = null): Promise<{ documentId: number; title: string; chunks: number }> {
    const { page } = await this.page(url, signal ?? AbortSignal.timeout(this.fetchOptions.limits.timeoutMs));
    if (!page.ok) throw new WebError('web-provider', `Cannot save ${url}: ${page.reason}.`);
    const embedder = target?.embedder ?? this.embedder();
    const countTokens = embedder ? (t: string) => embedder.countTokens(t) : approximateTokens;
    const chunks = chunkSections(page.sections, { maxTokens: Math.min(384, embedder?.maxTokens ?? 384), overlapTokens: 48, minTokens: 24, countTokens });
    const text = page.sections.map((s) => s.text).join('\n\n');
    const ftsTitle = analyze(page.title);
    const vectors = target && chunks.length ? await target.embedder.embed(chunks.map((c) => c.text)) : null;
    const documentId = this.library.transaction(() => {
      const source = this.library.sources.ensure('web', 'web', 'Saved web pages');
      const id = this.library.documents.upsert({
        sourceId: source.id, parentId: null, uri: url, path: null, kind: 'web', title: page.title, mime: 'text/html',
        size: Buffer.byteLength(text), mtime: null, contentHash: createHash('sha256').update(text).digest('hex'), status: 'indexed',
        errorCode: null, reason: null, metadata: { url: page.url, savedAt: Date.now() }, date: Date.now(), sender: null, recipients: null,
      });
      const ids = this.library.documents.insertChunks(id, chunks.map((c) => ({ ...c, ftsTitle, ftsBody: analyze(c.text) })));
      if (vectors) ids.forEach((chunkId, i) => target!.store.put(chunkId, vectors[i]!));
      return id;
    });
    return { documentId, title: page.title, chunks: chunks.length };
  }
}

function fail(outcome: WebLookup, error: WebError): void {
  outcome.error = error;
  outcome.notice = `Web search not used: ${error.message.replace(/\.$/, '')}. Answered from your library only.`;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

function host(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}
