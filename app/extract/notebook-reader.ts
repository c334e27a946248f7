// NotebookReader: a Jupyter notebook (.ipynb), its Markdown cells cut at their headings and its
// code cells kept verbatim under the heading they follow. Outputs are left out: they are results
// (often images as base64), not what the author wrote.
import { baseName, failed, skipped } from './results.ts';
import { markdownSections } from './markdown-reader.ts';
import { decodeText } from './text-decoding.ts';
import type { ExtractInput, ExtractResult } from './types.ts';

interface Cell {
  cell_type?: unknown;
  source?: unknown;
}

export async function readNotebook({ bytes, name }: ExtractInput): Promise<ExtractResult> {
  let notebook: { cells?: unknown; metadata?: { title?: unknown; kernelspec?: { language?: unknown } ; language_info?: { name?: unknown } } };
  try {
    notebook = JSON.parse(decodeText(bytes).text) as typeof notebook;
  } catch (error) {
    return failed('damaged', `Notebook file is damaged: ${(error as Error).message.split('\n', 1)[0]}`);
  }
  if (!notebook || typeof notebook !== 'object' || !Array.isArray(notebook.cells)) return failed('damaged', 'Notebook file is damaged: it has no cells');
  // One Markdown text for the whole notebook, code cells as fenced blocks: headings in one cell
  // head the cells that follow, and code stays verbatim.
  const language = notebook.metadata?.language_info?.name ?? notebook.metadata?.kernelspec?.language;
  const parts: string[] = [];
  for (const cell of notebook.cells as Cell[]) {
    const source = Array.isArray(cell?.source) ? cell.source.filter((s): s is string => typeof s === 'string').join('') : typeof cell?.source === 'string' ? cell.source : '';
    if (!source.trim()) continue;
    if (cell.cell_type === 'markdown') parts.push(source.replace(/\r\n?/g, '\n').trim());
    else if (cell.cell_type === 'code' || cell.cell_type === 'raw') {
      const fence = '`'.repeat(Math.max(3, ...[...source.matchAll(/`{3,}/g)].map((m) => m[0].length + 1)));
      parts.push(`${fence}${cell.cell_type === 'code' && typeof language === 'string' ? language : ''}\n${source.replace(/\s+$/, '')}\n${fence}`);
    }
  }
  const { sections, firstH1 } = markdownSections(parts.join('\n\n'));
  if (sections.length === 0) return skipped('no-text', 'Notebook has no cells with text');
  return {
    ok: true,
    doc: {
      kind: 'file',
      title: (typeof notebook.metadata?.title === 'string' && notebook.metadata.title.trim()) || firstH1 || baseName(name),
      mime: 'application/x-ipynb+json',
      sections,
      metadata: { cells: (notebook.cells as unknown[]).length, ...(typeof language === 'string' ? { language } : {}) },
      children: [],
    },
  };
}
