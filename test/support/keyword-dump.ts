// The whole keyword index as plain data, by token (term ids differ between builds), to compare
// an index kept up to date with what a rebuild from the chunks makes.
import type { Library } from '../../app/store/index.ts';

/** The totals, then every token with its chunk count and postings. */
export function dump(library: Library): unknown[] {
  const tokens = library.db.prepare('SELECT token FROM keyword_terms ORDER BY token').pluck().all() as string[];
  const terms = library.keywords.terms(tokens);
  return [
    library.keywords.totals(),
    ...tokens.map((token, i) => {
      const p = library.keywords.postings(terms[i]!);
      const n = p.count;
      return [token, terms[i]!.chunks, [...p.ids.subarray(0, n)], [...p.title.subarray(0, n)], [...p.body.subarray(0, n)], [...p.length.subarray(0, n)]];
    }),
  ];
}
