// Turns a table (a spreadsheet's sheet, a CSV file) into sections a search can find and quote:
// each data row one line that names its columns ("Quarter: Q3; Revenue: 1,200"), so any row is
// understood on its own, in sections of a few dozen rows headed by the sheet and the row numbers.
import type { Section } from './types.ts';

/** Rows in one section: enough for context, few enough that a chunk rarely cuts one in two. */
const ROWS_PER_SECTION = 25;

/**
 * `rows` as read, empty cells as ''. The first non-empty row is the header when all its cells are
 * words (not numbers) and rows follow it; otherwise rows are cells joined by " | ".
 */
export function tableSections(rows: string[][], heading: string[], firstRowNumber = 1): Section[] {
  const numbered = rows.map((cells, i) => ({ number: firstRowNumber + i, cells: cells.map((c) => c.replace(/\s+/g, ' ').trim()) }))
    .filter((r) => r.cells.some((c) => c !== ''));
  if (numbered.length === 0) return [];
  const first = numbered[0]!;
  const header = numbered.length > 1 && first.cells.filter((c) => c !== '').every((c) => !isNumeric(c)) ? first.cells : null;
  const body = header ? numbered.slice(1) : numbered;
  const names = header?.map((name, i) => name || columnName(i));
  const sections: Section[] = [];
  if (header) sections.push({ text: header.filter((c) => c !== '').join(' | '), headingPath: [...heading, `Row ${first.number} (header)`] });
  for (let i = 0; i < body.length; i += ROWS_PER_SECTION) {
    const part = body.slice(i, i + ROWS_PER_SECTION);
    const lines = part.map((r) => (names ? labelled(names, r.cells) : r.cells.filter((c) => c !== '').join(' | ')));
    const from = part[0]!.number;
    const to = part.at(-1)!.number;
    sections.push({ text: lines.join('\n'), headingPath: [...heading, from === to ? `Row ${from}` : `Rows ${from}–${to}`] });
  }
  return sections;
}

function labelled(names: string[], cells: string[]): string {
  const parts: string[] = [];
  cells.forEach((cell, i) => {
    if (cell !== '') parts.push(`${names[i] ?? columnName(i)}: ${cell}`);
  });
  return parts.join('; ');
}

function isNumeric(text: string): boolean {
  return /^[-+]?[\d.,\s%$€£¥]+$/.test(text) && /\d/.test(text);
}

/** The spreadsheet letter of a 0-based column: 0 → A, 26 → AA. */
export function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}
