// Hybrid retrieval: FTS5 BM25 and sqlite-vec KNN fused by weighted RRF, filters, snippets;
// plus the text analysis (CJK segmentation, safe FTS5 queries) that indexing shares.
export { analyze, keywordTerms, matchExpression, MAX_TERMS, orExpression, queryTerms, searchQuery, type SearchQuery } from './analyze.ts';
export { fuse, RRF_K } from './fusion.ts';
export { HybridSearch, type HybridSearchOptions, type QueryVectors, type VectorSource } from './hybrid.ts';
export { makeSnippet, type Snippet } from './snippet.ts';
