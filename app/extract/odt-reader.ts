// OdtReader: an OpenDocument text (LibreOffice Writer). Its body is turned into plain HTML
// (headings by outline level, paragraphs, lists, tables), which is then cut into sections like any
// HTML, as the DOCX reader does with mammoth's output.
import { parseHTML } from 'linkedom';
import { htmlSections } from './html-sections.ts';
import { odfText, odfTitle } from './odf.ts';
import { baseName, failed } from './results.ts';
import type { ExtractInput, ExtractResult } from './types.ts';
import { element, parseXml } from './xml.ts';
import { ZipArchive, zipProblem } from './zip.ts';

export async function readOdt({ bytes, name }: ExtractInput): Promise<ExtractResult> {
  let html: string;
  let title: string | null;
  try {
    const zip = ZipArchive.open(bytes);
    const content = zip.text('content.xml');
    if (content === null) return failed('damaged', 'ODT file is damaged: it has no content.xml');
    const body = element(parseXml(content), 'office:text');
    html = body ? toHtml(body) : '';
    title = odfTitle(zip);
  } catch (error) {
    return zipProblem('ODT', error);
  }
  const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`);
  const sections = htmlSections(document.body);
  if (sections.length === 0) return failed('no-text', 'ODT document has no text');
  const heading = document.querySelector('h1, h2, h3, h4, h5, h6')?.textContent?.replace(/\s+/g, ' ').trim();
  return {
    ok: true,
    doc: {
      kind: 'file',
      title: title ?? (heading || baseName(name)),
      mime: 'application/vnd.oasis.opendocument.text',
      sections,
      metadata: {},
      children: [],
    },
  };
}

// Generated tables of contents and indexes repeat the headings: left out.
const skippedBlocks = new Set(['text:table-of-content', 'text:alphabetical-index', 'text:illustration-index', 'text:bibliography', 'office:forms', 'text:sequence-decls', 'text:tracked-changes']);

function toHtml(node: Element): string {
  let out = '';
  for (const el of [...node.children]) {
    const tag = el.tagName;
    if (skippedBlocks.has(tag)) continue;
    if (tag === 'text:h') {
      const level = Math.min(6, Math.max(1, Number(el.getAttribute('text:outline-level') ?? 1) || 1));
      out += `<h${level}>${escape(odfText(el))}</h${level}>`;
    } else if (tag === 'text:p') {
      out += `<p>${escape(odfText(el)).replaceAll('\n', '<br>')}</p>`;
    } else if (tag === 'text:list') {
      out += `<ul>${listItems(el).map((item) => `<li>${escape(item)}</li>`).join('')}</ul>`;
    } else if (tag === 'table:table') {
      out += `<table>${tableRows(el).map((row) => `<tr>${row.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('')}</table>`;
    } else {
      out += toHtml(el); // sections, frames and the like hold blocks of their own
    }
  }
  return out;
}

/** A list's items as lines of text, nested lists flattened into items of their own. */
function listItems(list: Element): string[] {
  return [...list.children].flatMap((item) =>
    [...item.children].flatMap((child) => (child.tagName === 'text:list' ? listItems(child) : [odfText(child).replace(/\s+/g, ' ').trim()])))
    .filter(Boolean);
}

function tableRows(table: Element): string[][] {
  return [...table.getElementsByTagName('table:table-row')].map((row) =>
    [...row.children].filter((c) => c.tagName === 'table:table-cell').map((cell) =>
      [...cell.children].map((p) => odfText(p)).join(' ').trim()));
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
