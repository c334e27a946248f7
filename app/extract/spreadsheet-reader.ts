// SpreadsheetReader: XLSX, XLS and ODS through SheetJS (the one well-kept JavaScript reader of all
// three, legacy BIFF included), taking each cell's cached value as Excel shows it, never the
// formula. Each sheet becomes sections of rows named by their column headers (table-sections.ts).
import * as XLSX from '@e965/xlsx';
import * as cptable from '@e965/xlsx/dist/cpexcel.full.mjs';
import { baseName, failed, shortMessage } from './results.ts';
import { tableSections } from './table-sections.ts';
import type { ExtractInput, ExtractResult, Section } from './types.ts';
import { isZip, ZipArchive, zipProblem } from './zip.ts';

// Legacy .xls files in other code pages (GBK, Shift-JIS, windows-1251...) need the code page tables.
XLSX.set_cptable(cptable);

/** Rows read from one sheet; a sheet longer than this is cut, and says so in the metadata. */
export const MAX_SHEET_ROWS = 100_000;

const mimes: Record<string, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  xls: 'application/vnd.ms-excel',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
};

export async function readSpreadsheet({ bytes, name }: ExtractInput): Promise<ExtractResult> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const zipped = isZip(buffer);
  const format = zipped ? (buffer.includes('application/vnd.oasis.opendocument.spreadsheet') ? 'ods' : 'xlsx') : 'xls';
  const label = format.toUpperCase();
  const ole = buffer.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]));
  if (ole && buffer.includes(Buffer.from('EncryptedPackage', 'utf16le'))) return failed('encrypted', 'Spreadsheet is password-protected');
  // SheetJS reads any text as a one-column sheet: only workbooks, and the XML or HTML tables that
  // some programs save as .xls, are taken as spreadsheets.
  if (!zipped && !ole && !/^(\uFEFF)?\s*</.test(buffer.subarray(0, 256).toString('utf8'))) {
    return failed('damaged', 'Spreadsheet file is damaged: it is not an Excel or OpenDocument workbook');
  }
  if (zipped) {
    // SheetJS unzips on its own, without a limit: the archive is inflated once under ours first.
    try {
      ZipArchive.open(buffer).checkAll();
    } catch (error) {
      return zipProblem(label, error);
    }
  }
  let workbook: XLSX.WorkBook;
  try {
    workbook = XLSX.read(buffer, {
      type: 'buffer', dense: true, cellFormula: false, cellHTML: false, cellStyles: false, cellText: true,
      bookVBA: false, sheetRows: MAX_SHEET_ROWS + 1,
    });
  } catch (error) {
    if (/password|encrypt/i.test(shortMessage(error))) return failed('encrypted', `${label} is password-protected`);
    return failed('damaged', `${label} file is damaged: ${shortMessage(error)}`);
  }
  const sections: Section[] = [];
  const cut: string[] = [];
  for (const sheetName of workbook.SheetNames) {
    const sheet = workbook.Sheets[sheetName];
    if (!sheet?.['!ref']) continue;
    const firstRow = XLSX.utils.decode_range(sheet['!ref']).s.r + 1;
    const rows = XLSX.utils.sheet_to_json<unknown[]>(sheet, { header: 1, raw: false, defval: '', blankrows: true });
    if (rows.length > MAX_SHEET_ROWS) {
      rows.length = MAX_SHEET_ROWS;
      cut.push(sheetName);
    }
    sections.push(...tableSections(rows.map((r) => r.map(cellText)), [sheetName], firstRow));
  }
  if (sections.length === 0) return failed('no-text', `${label} workbook has no cells with values`);
  const title = typeof workbook.Props?.Title === 'string' && workbook.Props.Title.trim() ? workbook.Props.Title.trim() : baseName(name);
  return {
    ok: true,
    doc: {
      kind: 'file',
      title,
      mime: mimes[format]!,
      sections,
      metadata: {
        sheets: workbook.SheetNames.length,
        ...(cut.length ? { truncatedSheets: cut, rowsPerSheet: MAX_SHEET_ROWS } : {}),
        ...(typeof workbook.Props?.Author === 'string' && workbook.Props.Author.trim() ? { author: workbook.Props.Author.trim() } : {}),
      },
      children: [],
    },
  };
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : String(value);
}
