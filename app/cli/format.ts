// Plain-text rendering of engine results for the terminal. Every string from the library goes
// through terminalLine (see terminal-text.ts); bold and line breaks are added around it.
import type { LibraryStatus, SearchResponse } from '../contract/index.ts';
import { terminalLine } from './terminal-text.ts';

const bold = (s: string, tty: boolean) => (tty ? `\x1b[1m${s}\x1b[22m` : s);

export function formatSearch(response: SearchResponse, tty: boolean): string {
  const lines: string[] = [];
  if (response.notice) lines.push(`(${terminalLine(response.notice)})`, '');
  if (response.hits.length === 0) lines.push('No results.');
  response.hits.forEach((hit, i) => {
    const where = [hit.page !== null ? `p. ${hit.page}` : null, hit.headingPath.length ? `§ ${hit.headingPath.map(terminalLine).join(' › ')}` : null, hit.ocr ? 'OCR text' : null]
      .filter(Boolean)
      .join(', ');
    const email = hit.kind === 'email' ? [hit.from && terminalLine(hit.from), hit.date ? new Date(hit.date).toISOString().slice(0, 10) : null].filter(Boolean).join(', ') : '';
    lines.push(`${i + 1}. ${bold(terminalLine(hit.title), tty)}${where ? `  (${where})` : ''}${email ? `  — ${email}` : ''}  [${hit.score.toFixed(4)}]`);
    lines.push(`   ${terminalLine(hit.uri)}`);
    lines.push(`   ${highlight(hit.snippet, hit.highlights, tty)}`);
    lines.push('');
  });
  return lines.join('\n');
}

/** The snippet on one line, its matches in bold on a terminal; each piece escaped on its own. */
function highlight(snippet: string, ranges: [number, number][], tty: boolean): string {
  const piece = (s: string) => terminalLine(s.replace(/\s+/g, ' '));
  if (!tty) return piece(snippet);
  let out = '';
  let at = 0;
  for (const [s, e] of ranges) {
    if (s < at) continue;
    out += piece(snippet.slice(at, s)) + bold(piece(snippet.slice(s, e)), true);
    at = e;
  }
  return out + piece(snippet.slice(at));
}

export function formatStatus(status: LibraryStatus): string {
  const d = status.documents;
  const lines = [
    `Library:    ${terminalLine(status.dbPath)}`,
    `Documents:  ${d.indexed} indexed, ${d.skipped} skipped, ${d.failed} failed${d.pending ? `, ${d.pending} pending` : ''}`,
    `Chunks:     ${status.chunks}`,
    `Queued:     ${status.pendingJobs} jobs${status.pendingJobs ? ' (run `cairn index` to finish them)' : ''}`,
    `Embedder:   ${status.embedder ? terminalLine(status.embedder) : 'none (keyword search only)'}`,
  ];
  for (const m of status.embeddingModels) lines.push(`Vectors:    ${terminalLine(m.key)} (${m.dimensions}-d, ${m.state}): ${m.vectors} of ${status.chunks} chunks`);
  if (status.ocr) lines.push(`OCR:        ${ocrLine(status.ocr)}`);
  if (status.problemCount) {
    lines.push('', `Problems (${status.problemCount}):`);
    for (const p of status.problems) lines.push(`  ${p.status.padEnd(7)}  ${terminalLine(p.uri)}`, `           ${terminalLine(p.code ?? '')}: ${terminalLine(p.reason)}`);
    const more = status.problemCount - status.problems.length;
    if (more > 0) lines.push(`  …and ${more} more: \`cairn status --problems\` lists them all.`);
  }
  return lines.join('\n');
}

function ocrLine(ocr: NonNullable<LibraryStatus['ocr']>): string {
  const state = ocr.enabled ? `on (${ocr.languages.join(', ')})` : 'off';
  const waiting = ocr.pagesWaiting
    ? `; ${ocr.pagesWaiting} page${ocr.pagesWaiting === 1 ? '' : 's'} of ${ocr.documentsWaiting} document${ocr.documentsWaiting === 1 ? '' : 's'} waiting${ocr.enabled ? ' (run `cairn index`)' : ' (`cairn ocr on` to read them)'}`
    : '';
  const failed = ocr.pagesFailed ? `; ${ocr.pagesFailed} page${ocr.pagesFailed === 1 ? '' : 's'} could not be read` : '';
  return state + waiting + failed;
}
