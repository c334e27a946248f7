// The words of a text that carry its topic: what keyword search would look for.
import { matchExpression } from '../search/index.ts';

/**
 * The text's searchable words without stop words (unless there is nothing else), lower-cased, in
 * order: the very words hybrid search's BM25 side matches on (read back from its FTS5 expression,
 * so both always agree).
 */
export function keyTerms(text: string): string[] {
  const expression = matchExpression(text);
  if (!expression) return [];
  return [...expression.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => m[1]!.replaceAll('""', '"'));
}
