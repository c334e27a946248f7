// Optional web search for answers: providers (SearXNG, Brave, Tavily, DuckDuckGo), careful page
// fetching (from public addresses only) and readable-text extraction, ranking like local results,
// and a cache in the library.
export { checkDestination, publicAddressesOnly, type AddressPolicy, type Destination, type Resolve } from './addresses.ts';
export { WebCache, defaultCacheTtl, type CacheTtl } from './cache.ts';
export { defaultFetchLimits, fetchPage, USER_AGENT, type FetchedPage, type FetchLimits, type FetchOptions, type PageFormat, type SkipCode } from './fetcher.ts';
export {
  BraveProvider,
  createProvider,
  DEFAULT_BASE_URLS,
  DuckDuckGoProvider,
  parseBrave,
  parseDuckDuckGoHtml,
  parseSearxng,
  parseTavily,
  plainText,
  PROVIDER_LABELS,
  SearxngProvider,
  TavilyProvider,
} from './providers.ts';
export { defaultRankOptions, rankChunks, type PageText, type RankOptions, type WebChunk } from './rank.ts';
export { readPage, visibleHtml, type ReadPage } from './reader.ts';
export {
  chainSecrets,
  secretName,
  storeSecrets,
  WEB_SEARCH_SETTING,
  WebError,
  WebProviderName,
  WebSearchSetting,
  type SecretSource,
  type WebErrorCode,
  type WebSearchProvider,
  type WebSearchResult,
} from './types.ts';
export { DEFAULT_WEB_DEADLINE_MS, envSecrets, WebSearch, type PageReport, type WebLookup, type WebSearchOptions } from './web-search.ts';
