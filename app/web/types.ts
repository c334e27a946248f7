// What every web search provider returns, the setting that picks one, and the typed errors the
// web step reports (offline, bad key, rate limit, provider error, deadline).
import { z } from 'zod';
import { CairnError } from '../contract/index.ts';

/** One search result, whatever the provider. */
export interface WebSearchResult {
  title: string;
  url: string;
  snippet: string;
}

export interface WebSearchProvider {
  /** Stable name with its endpoint, for the cache key ('searxng:http://127.0.0.1:8888'). */
  readonly key: string;
  /** For people: 'SearXNG', 'Brave Search'… */
  readonly label: string;
  search(query: string, options: { count: number; signal: AbortSignal }): Promise<WebSearchResult[]>;
}

export const WebProviderName = z.enum(['searxng', 'brave', 'tavily', 'duckduckgo']);
export type WebProviderName = z.infer<typeof WebProviderName>;

/** The library setting 'web-search': which provider, and its endpoint when not the default. */
export const WebSearchSetting = z.object({
  provider: WebProviderName,
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
});
export type WebSearchSetting = z.infer<typeof WebSearchSetting>;

export const WEB_SEARCH_SETTING = 'web-search';

/** Where keys come from (the desktop's secret store, or the environment for the CLI). Never stored in the library. */
export interface SecretSource {
  getSecret(name: string): Promise<string | undefined> | string | undefined;
}

/** The secret name that holds a provider's API key. */
export function secretName(provider: WebProviderName): string {
  return `web-search.${provider}`;
}

export type WebErrorCode = 'web-offline' | 'web-auth' | 'web-rate-limit' | 'web-provider' | 'web-deadline' | 'web-not-configured';

export class WebError extends CairnError {
  constructor(code: WebErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'WebError';
  }
}

/** The error for an HTTP status from a provider: 401/403 a bad key, 429 a rate limit, others the provider's fault. */
export function statusError(label: string, status: number): WebError {
  if (status === 401 || status === 403) return new WebError('web-auth', `${label} refused the API key (HTTP ${status}).`);
  if (status === 429) return new WebError('web-rate-limit', `${label} is rate-limiting requests (HTTP 429); try again later.`);
  return new WebError('web-provider', `${label} answered HTTP ${status}.`);
}

/** The error for a request that did not get an answer at all. */
export function networkError(label: string, error: unknown): WebError {
  if (error instanceof WebError) return error;
  const cause = (error as { cause?: { code?: string } } | null)?.cause;
  const code = cause?.code ?? (error as { code?: string } | null)?.code;
  const name = (error as Error | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return new WebError('web-deadline', `${label} did not answer in time.`, { cause: error });
  return new WebError('web-offline', `${label} cannot be reached (${code ?? (error as Error).message}).`, { cause: error });
}

/** A SecretSource over a key–value secret store (such as app/sources' SecretStore: the OS keychain). */
export function storeSecrets(store: { get(key: string): Promise<string | null> }): SecretSource {
  return { getSecret: async (name) => (await store.get(name)) ?? undefined };
}

/** Each secret from the first source that has it (e.g. the environment, then the keychain). */
export function chainSecrets(...sources: SecretSource[]): SecretSource {
  return {
    getSecret: async (name) => {
      for (const source of sources) {
        const value = await source.getSecret(name);
        if (value) return value;
      }
      return undefined;
    },
  };
}
