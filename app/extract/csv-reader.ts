// CsvReader: comma-, semicolon- or tab-separated values (RFC 4180 quoting), decoded like any text
// file, then read as a table: rows named by their column headers (table-sections.ts).
import { baseName, extensionOf, skipped } from './results.ts';
import { tableSections } from './table-sections.ts';
import { decodeText, looksLikeText } from './text-decoding.ts';
import type { ExtractInput, ExtractResult } from './types.ts';

export async function readCsv({ bytes, name }: ExtractInput): Promise<ExtractResult> {
  if (!looksLikeText(bytes)) return skipped('unsupported', `Binary content in a .${extensionOf(name) || 'csv'} file`);
  const { text, encoding } = decodeText(bytes);
  const delimiter = extensionOf(name) === 'tsv' || extensionOf(name) === 'tab' ? '\t' : guessDelimiter(text);
  const rows = parseDelimited(text, delimiter);
  const sections = tableSections(rows, []);
  if (sections.length === 0) return skipped('empty', 'File contains only whitespace');
  return {
    ok: true,
    doc: {
      kind: 'file',
      title: baseName(name),
      mime: delimiter === '\t' ? 'text/tab-separated-values' : 'text/csv',
      sections,
      metadata: { encoding, rows: rows.length },
      children: [],
    },
  };
}

/** The delimiter that splits the first lines into the most equal, non-trivial columns. */
function guessDelimiter(text: string): string {
  const sample = text.slice(0, 8192).split(/\r?\n/).filter((l) => l.trim()).slice(0, 20);
  let best = ',';
  let bestScore = 0;
  for (const candidate of [',', ';', '\t', '|']) {
    const counts = sample.map((line) => parseDelimited(line, candidate)[0]?.length ?? 1);
    const columns = counts[0] ?? 1;
    const score = columns > 1 ? counts.filter((c) => c === columns).length * columns : 0;
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

/** Rows of cells; quoted cells may hold delimiters, doubled quotes and line breaks. */
export function parseDelimited(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        cell += ch;
      }
    } else if (ch === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (ch === delimiter) {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else {
      cell += ch;
    }
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
