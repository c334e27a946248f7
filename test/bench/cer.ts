// Character error rate: the edit distance between what OCR read and the true text, over the true
// text's length, after both are normalised alike (NFKC, words hyphenated at a line end joined,
// white space as single spaces; for Chinese, no spaces at all, since they carry no meaning there).

export function normaliseForCer(text: string, cjk = false): string {
  const t = text.normalize('NFKC').replace(/(\p{L})-\s*\n\s*(\p{L})/gu, '$1$2').replace(/\s+/g, ' ').trim();
  return cjk ? t.replace(/ /g, '') : t;
}

export function characterErrorRate(truth: string, read: string, options: { cjk?: boolean } = {}): number {
  const a = [...normaliseForCer(truth, options.cjk)];
  const b = [...normaliseForCer(read, options.cjk)];
  if (a.length === 0) return b.length === 0 ? 0 : 1;
  return editDistance(a, b) / a.length;
}

/** Levenshtein distance over characters (code points), two rows of memory. */
export function editDistance(a: string[], b: string[]): number {
  let previous = new Int32Array(b.length + 1).map((_, j) => j);
  let current = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}
