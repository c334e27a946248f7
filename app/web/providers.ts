// The web search providers behind one interface: SearXNG (your own instance, JSON API, no key),
// Brave Search API and Tavily (keys), and DuckDuckGo's keyless HTML page. Each request has the
// caller's signal; HTTP errors become typed WebErrors. Parsing is apart, so recorded responses test it.
import { parseHTML } from 'linkedom';
import { USER_AGENT } from './fetcher.ts';
import {
  networkError,
  secretName,
  statusError,
  WebError,
  type SecretSource,
  type WebProviderName,
  type WebSearchProvider,
  type WebSearchResult,
  type WebSearchSetting,
} from './types.ts';

export const PROVIDER_LABELS: Record<WebProviderName, string> = {
  searxng: 'SearXNG',
  brave: 'Brave Search',
  tavily: 'Tavily',
  duckduckgo: 'DuckDuckGo',
};

export const DEFAULT_BASE_URLS: Record<WebProviderName, string | null> = {
  searxng: null, // your own instance: there is no default
  brave: 'https://api.search.brave.com',
  tavily: 'https://api.tavily.com',
  duckduckgo: 'https://html.duckduckgo.com',
};

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

/** Text from a snippet that may hold markup (<strong>, <b>) and entities. */
export function plainText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+|#39);/gi, (whole, name: string) => {
      if (name[0] === '#') {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

function httpUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Keeps results with an http(s) URL, once each, with plain-text title and snippet. */
function clean(raw: Array<{ title: unknown; url: unknown; snippet: unknown }>): WebSearchResult[] {
  const seen = new Set<string>();
  const out: WebSearchResult[] = [];
  for (const r of raw) {
    const url = httpUrl(r.url);
    if (!url || seen.has(url)) continue;
    seen.add(url);
    out.push({ title: plainText(str(r.title)) || url, url, snippet: plainText(str(r.snippet)) });
  }
  return out;
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null) : [];
}

/** SearXNG /search?format=json: { results: [{ url, title, content, engine, … }], answers, infoboxes, … }. */
export function parseSearxng(body: unknown): WebSearchResult[] {
  const results = records((body as { results?: unknown } | null)?.results);
  return clean(results.map((r) => ({ title: r.title, url: r.url, snippet: r.content })));
}

/** Brave /res/v1/web/search: { type: 'search', web: { results: [{ title, url, description, … }] }, … }. */
export function parseBrave(body: unknown): WebSearchResult[] {
  const web = (body as { web?: { results?: unknown } } | null)?.web;
  return clean(records(web?.results).map((r) => ({ title: r.title, url: r.url, snippet: r.description })));
}

/** Tavily POST /search: { query, answer, results: [{ title, url, content, score, raw_content }], response_time }. */
export function parseTavily(body: unknown): WebSearchResult[] {
  const results = records((body as { results?: unknown } | null)?.results);
  return clean(results.map((r) => ({ title: r.title, url: r.url, snippet: r.content })));
}

/**
 * DuckDuckGo's HTML results page: each organic result a `.result` with an `a.result__a` link (often
 * through a //duckduckgo.com/l/?uddg=<target> redirect) and a `.result__snippet`; ads are left out.
 */
export function parseDuckDuckGoHtml(html: string): WebSearchResult[] {
  const { document } = parseHTML(html);
  const raw: Array<{ title: unknown; url: unknown; snippet: unknown }> = [];
  for (const result of Array.from(document.querySelectorAll('.result'))) {
    if (result.classList.contains('result--ad')) continue;
    const link = result.querySelector('a.result__a');
    if (!link) continue;
    raw.push({ title: link.textContent ?? '', url: resolveDuckDuckGoHref(link.getAttribute('href') ?? ''), snippet: result.querySelector('.result__snippet')?.textContent ?? '' });
  }
  return clean(raw);
}

function resolveDuckDuckGoHref(href: string): string {
  try {
    const url = new URL(href, 'https://duckduckgo.com/');
    if (url.hostname.endsWith('duckduckgo.com') && url.pathname === '/l/') return url.searchParams.get('uddg') ?? '';
    return url.href;
  } catch {
    return '';
  }
}

async function request(label: string, url: string, init: RequestInit, signal: AbortSignal): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal, redirect: 'follow', credentials: 'omit', headers: { 'User-Agent': USER_AGENT, ...(init.headers as Record<string, string>) } });
  } catch (error) {
    throw networkError(label, error);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    throw statusError(label, response.status);
  }
  return response;
}

async function json(label: string, response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch (error) {
    throw new WebError('web-provider', `${label} sent an answer that is not JSON (${(error as Error).message}).`);
  }
}

type KeyFn = () => Promise<string | undefined>;

function base(url: string): string {
  return url.replace(/\/+$/, '');
}

export class SearxngProvider implements WebSearchProvider {
  readonly label = PROVIDER_LABELS.searxng;
  readonly key: string;
  private readonly baseUrl: string;
  constructor(baseUrl: string) {
    this.baseUrl = base(baseUrl);
    this.key = `searxng:${this.baseUrl}`;
  }
  async search(query: string, { count, signal }: { count: number; signal: AbortSignal }): Promise<WebSearchResult[]> {
    const url = `${this.baseUrl}/search?${new URLSearchParams({ q: query, format: 'json' })}`;
    let response: Response;
    try {
      response = await request(this.label, url, { headers: { Accept: 'application/json' } }, signal);
    } catch (error) {
      // SearXNG has no keys: a 403 means its JSON output is switched off.
      if (error instanceof WebError && error.code === 'web-auth') {
        throw new WebError('web-provider', 'SearXNG refused the JSON format (HTTP 403): add json to search.formats in its settings.yml.');
      }
      throw error;
    }
    return parseSearxng(await json(this.label, response)).slice(0, count);
  }
}

export class BraveProvider implements WebSearchProvider {
  readonly label = PROVIDER_LABELS.brave;
  readonly key: string;
  private readonly baseUrl: string;
  private readonly apiKey: KeyFn;
  constructor(baseUrl: string, apiKey: KeyFn) {
    this.baseUrl = base(baseUrl);
    this.apiKey = apiKey;
    this.key = `brave:${this.baseUrl}`;
  }
  async search(query: string, { count, signal }: { count: number; signal: AbortSignal }): Promise<WebSearchResult[]> {
    const key = await needKey(this.label, 'brave', this.apiKey);
    const url = `${this.baseUrl}/res/v1/web/search?${new URLSearchParams({ q: query, count: String(Math.min(20, count)) })}`;
    const response = await request(this.label, url, { headers: { Accept: 'application/json', 'X-Subscription-Token': key } }, signal);
    return parseBrave(await json(this.label, response)).slice(0, count);
  }
}

export class TavilyProvider implements WebSearchProvider {
  readonly label = PROVIDER_LABELS.tavily;
  readonly key: string;
  private readonly baseUrl: string;
  private readonly apiKey: KeyFn;
  constructor(baseUrl: string, apiKey: KeyFn) {
    this.baseUrl = base(baseUrl);
    this.apiKey = apiKey;
    this.key = `tavily:${this.baseUrl}`;
  }
  async search(query: string, { count, signal }: { count: number; signal: AbortSignal }): Promise<WebSearchResult[]> {
    const key = await needKey(this.label, 'tavily', this.apiKey);
    const body = JSON.stringify({ query, max_results: Math.min(20, count), search_depth: 'basic', include_answer: false, include_raw_content: false });
    const response = await request(
      this.label,
      `${this.baseUrl}/search`,
      { method: 'POST', body, headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${key}` } },
      signal,
    );
    return parseTavily(await json(this.label, response)).slice(0, count);
  }
}

export class DuckDuckGoProvider implements WebSearchProvider {
  readonly label = PROVIDER_LABELS.duckduckgo;
  readonly key: string;
  private readonly baseUrl: string;
  constructor(baseUrl: string) {
    this.baseUrl = base(baseUrl);
    this.key = `duckduckgo:${this.baseUrl}`;
  }
  async search(query: string, { count, signal }: { count: number; signal: AbortSignal }): Promise<WebSearchResult[]> {
    const response = await request(this.label, `${this.baseUrl}/html/?${new URLSearchParams({ q: query })}`, { headers: { Accept: 'text/html' } }, signal);
    return parseDuckDuckGoHtml(await response.text()).slice(0, count);
  }
}

async function needKey(label: string, provider: WebProviderName, apiKey: KeyFn): Promise<string> {
  const key = (await apiKey())?.trim();
  if (!key) {
    throw new WebError('web-auth', `${label} needs an API key: store it with \`cairn web key ${provider}\` (the key on stdin), or set CAIRN_WEB_API_KEY.`);
  }
  return key;
}

/** The provider the setting names; keys are asked for on each search (never kept in the library). */
export function createProvider(setting: WebSearchSetting, secrets: SecretSource): WebSearchProvider {
  const url = setting.baseUrl ?? DEFAULT_BASE_URLS[setting.provider];
  if (!url) throw new WebError('web-not-configured', `${PROVIDER_LABELS[setting.provider]} needs the address of your instance: cairn web set ${setting.provider} --url http://…`);
  const key = async () => secrets.getSecret(secretName(setting.provider));
  switch (setting.provider) {
    case 'searxng':
      return new SearxngProvider(url);
    case 'brave':
      return new BraveProvider(url, key);
    case 'tavily':
      return new TavilyProvider(url, key);
    case 'duckduckgo':
      return new DuckDuckGoProvider(url);
  }
}
