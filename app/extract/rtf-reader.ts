// RtfReader: Rich Text Format decoded to its text, not its control words: groups and destinations
// (font and colour tables, pictures, embedded objects, headers) skipped, \uN and \'hh escapes
// decoded in the code page of the document or of the current font (GBK, Big5, Shift-JIS...),
// \par as a paragraph break, table cells joined by " | ". The title comes from {\info{\title}}.
import { baseName, failed, skipped } from './results.ts';
import type { ExtractInput, ExtractResult, Section } from './types.ts';

/** Destinations whose text is not the document's (their group is skipped). */
const hidden = new Set([
  'fonttbl', 'colortbl', 'stylesheet', 'listtable', 'listoverridetable', 'revtbl', 'rsidtbl', 'generator', 'xmlnstbl',
  'themedata', 'colorschememapping', 'datastore', 'latentstyles', 'pgdsctbl', 'pict', 'object', 'objdata', 'fldinst',
  'header', 'headerl', 'headerr', 'headerf', 'footer', 'footerl', 'footerr', 'footerf', 'bkmkstart', 'bkmkend',
  'filetbl', 'defchp', 'defpap', 'mmathPr', 'wgrffmtfilter', 'pnseclvl', 'private',
]);

/** Windows font charsets (\fcharsetN) to the code pages their bytes are in. */
const charsets: Record<number, string> = {
  0: 'windows-1252', 128: 'shift_jis', 129: 'euc-kr', 134: 'gbk', 136: 'big5', 161: 'windows-1253', 162: 'windows-1254',
  163: 'windows-1258', 177: 'windows-1255', 178: 'windows-1256', 186: 'windows-1257', 204: 'windows-1251', 222: 'windows-874', 238: 'windows-1250',
};
const codepages: Record<number, string> = { 932: 'shift_jis', 936: 'gbk', 949: 'euc-kr', 950: 'big5', 874: 'windows-874', 10000: 'macintosh' };

const symbols: Record<string, string> = {
  par: '\n\n', sect: '\n\n', page: '\n\n', line: '\n', tab: '\t', cell: ' | ', nestcell: ' | ', row: '\n', nestrow: '\n',
  emdash: '—', endash: '–', bullet: '•', lquote: '‘', rquote: '’', ldblquote: '“', rdblquote: '”', emspace: ' ', enspace: ' ', qmspace: ' ',
};

interface Group {
  skip: boolean;
  /** Characters to skip after a \uN (its fallback for readers without Unicode). */
  uc: number;
  font: number;
  /** Inside the {\info} group: which field (title, author) is being read, if any. */
  info: string | null;
}

export async function readRtf({ bytes, name }: ExtractInput): Promise<ExtractResult> {
  const source = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  if (!source.trimStart().startsWith('{\\rtf')) return failed('damaged', 'RTF file is damaged: it does not start with {\\rtf');
  const { text, info } = decodeRtf(source);
  const paragraphs = text.split(/\n{2,}/).map((p) => p.replace(/[ \t]+\n/g, '\n').trim()).filter(Boolean);
  if (paragraphs.length === 0) return skipped('no-text', 'RTF document has no text');
  const sections: Section[] = [{ text: paragraphs.join('\n\n'), headingPath: [] }];
  return {
    ok: true,
    doc: {
      kind: 'file',
      title: info.title || baseName(name),
      mime: 'application/rtf',
      sections,
      metadata: info.author ? { author: info.author } : {},
      children: [],
    },
  };
}

export function decodeRtf(source: string): { text: string; info: { title: string; author: string } } {
  const out: string[] = [];
  const info = { title: '', author: '' };
  const fontCharsets = new Map<number, string>();
  let documentCodepage = 'windows-1252';
  let group: Group = { skip: false, uc: 1, font: -1, info: null };
  const stack: Group[] = [];
  let bytes: number[] = []; // \'hh bytes waiting to be decoded together (double-byte characters)
  let skipChars = 0; // fallback characters left to skip after a \uN
  let fontTable = false;
  let definingFont = -1;

  const emit = (text: string) => {
    if (group.info) info[group.info as 'title' | 'author'] += text;
    else if (!group.skip) out.push(text);
  };
  const flushBytes = () => {
    if (bytes.length === 0) return;
    const encoding = fontCharsets.get(group.font) ?? documentCodepage;
    let text: string;
    try {
      text = new TextDecoder(encoding).decode(Uint8Array.from(bytes));
    } catch {
      text = new TextDecoder('windows-1252').decode(Uint8Array.from(bytes));
    }
    bytes = [];
    emit(text);
  };

  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '{') {
      flushBytes();
      stack.push(group);
      group = { ...group };
      if (stack.length > 10_000) break; // a file nested this deep is not a document
      continue;
    }
    if (ch === '}') {
      flushBytes();
      if (fontTable && stack.length <= 2) fontTable = false;
      group = stack.pop() ?? group;
      continue;
    }
    if (ch === '\\') {
      const next = source[i + 1] ?? '';
      if (next === "'") {
        const code = parseInt(source.slice(i + 2, i + 4), 16);
        i += 3;
        if (skipChars > 0) {
          skipChars--;
          continue;
        }
        if (!Number.isNaN(code) && !group.skip) bytes.push(code);
        continue;
      }
      flushBytes();
      if (!/[a-zA-Z]/.test(next)) {
        i++;
        if (next === '*') group.skip = true; // an optional destination this reader does not know
        else if (next === '~') emit('\u00a0');
        else if (next === '_') emit('-');
        else if (next === '\\' || next === '{' || next === '}') emit(next);
        else if (next === '\n' || next === '\r') emit('\n\n');
        continue;
      }
      const match = /^([a-zA-Z]{1,32})(-?\d{1,10})? ?/.exec(source.slice(i + 1, i + 45))!;
      i += match[0].length;
      const word = match[1]!;
      const param = match[2] === undefined ? null : Number(match[2]);
      if (word === 'bin' && param) {
        i += param; // binary data
        continue;
      }
      if (skipChars > 0) skipChars = 0;
      switch (word) {
        case 'u': {
          const code = param! < 0 ? param! + 65536 : param!;
          emit(String.fromCharCode(code));
          skipChars = group.uc;
          break;
        }
        case 'uc':
          group.uc = param ?? 1;
          break;
        case 'ansicpg':
          documentCodepage = codepages[param ?? 1252] ?? `windows-${param}`;
          break;
        case 'fonttbl':
          fontTable = true;
          group.skip = true;
          break;
        case 'f':
          if (fontTable) definingFont = param ?? 0;
          else group.font = param ?? 0;
          break;
        case 'fcharset':
          if (fontTable && definingFont >= 0 && charsets[param ?? 0]) fontCharsets.set(definingFont, charsets[param ?? 0]!);
          break;
        case 'title':
        case 'author':
          if (stack.some((g) => g.info === '') || group.info === '') group.info = word;
          break;
        case 'info':
          group.skip = true;
          group.info = '';
          break;
        case 'fldrslt':
          group.skip = false;
          break;
        default:
          if (hidden.has(word)) group.skip = true;
          else if (symbols[word] !== undefined) emit(symbols[word]!);
      }
      continue;
    }
    if (ch === '\r' || ch === '\n') continue;
    if (skipChars > 0) {
      skipChars--;
      continue;
    }
    flushBytes();
    if (group.info === '') continue; // text directly in {\info}, outside a field
    emit(ch);
  }
  flushBytes();
  info.title = info.title.replace(/\s+/g, ' ').trim();
  info.author = info.author.replace(/\s+/g, ' ').trim();
  return { text: out.join('').replaceAll('\0', ''), info };
}
