// PptxReader: a PowerPoint deck, each slide a "page" in the order the deck shows them: its title,
// its text (text boxes, tables, grouped shapes) and its speaker notes as a section of their own.
import { posix } from 'node:path';
import { baseName, failed } from './results.ts';
import type { ExtractInput, ExtractResult, Section } from './types.ts';
import { descendants, element, elements, parseXml, squeeze } from './xml.ts';
import { ZipArchive, zipProblem } from './zip.ts';

export async function readPptx({ bytes, name }: ExtractInput): Promise<ExtractResult> {
  try {
    const zip = ZipArchive.open(bytes);
    const presentation = zip.text('ppt/presentation.xml');
    if (presentation === null) return failed('damaged', 'PPTX file is damaged: it has no ppt/presentation.xml');
    const rels = relationships(zip, 'ppt/presentation.xml');
    const slidePaths = elements(parseXml(presentation), 'p:sldId')
      .map((s) => rels.get(s.getAttribute('r:id') ?? '')?.target)
      .filter((p): p is string => typeof p === 'string' && zip.has(p));
    const sections: Section[] = [];
    let firstTitle: string | null = null;
    slidePaths.forEach((path, i) => {
      const page = i + 1;
      const slide = parseXml(zip.text(path) ?? '');
      const title = placeholderText(slide, ['title', 'ctrTitle']);
      firstTitle ??= title || null;
      const text = paragraphs(slide).join('\n');
      const heading = title ? [title] : [];
      if (text) sections.push({ text, page, headingPath: heading });
      const notesPath = [...relationships(zip, path).values()].find((r) => r.type.endsWith('/notesSlide'))?.target;
      const notes = notesPath ? parseXml(zip.text(notesPath) ?? '') : null;
      const notesText = notes ? notesParagraphs(notes).join('\n') : '';
      if (notesText) sections.push({ text: notesText, page, headingPath: [...heading, 'Speaker notes'] });
    });
    if (sections.length === 0) return failed('no-text', `PPTX presentation has no text (${slidePaths.length} slides)`);
    return {
      ok: true,
      doc: {
        kind: 'file',
        title: coreTitle(zip) ?? firstTitle ?? baseName(name),
        mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
        sections,
        metadata: { slides: slidePaths.length },
        children: [],
      },
    };
  } catch (error) {
    return zipProblem('PPTX', error);
  }
}

/** Every paragraph of text on a slide, in document order, as lines. */
function paragraphs(root: Document | Element): string[] {
  return elements(root, 'a:p').map(paragraphText).filter(Boolean);
}

function paragraphText(p: Element): string {
  let text = '';
  for (const node of descendants(p)) {
    if (node.tagName === 'a:t') text += node.textContent ?? '';
    else if (node.tagName === 'a:br') text += '\n';
  }
  return text.split('\n').map(squeeze).filter(Boolean).join('\n');
}

/** The shapes whose placeholder is one of `types`. */
function placeholders(root: Document, types: string[]): Element[] {
  return elements(root, 'p:sp').filter((sp) => types.includes(element(sp, 'p:ph')?.getAttribute('type') ?? ''));
}

function placeholderText(root: Document, types: string[]): string {
  return squeeze(placeholders(root, types).flatMap(paragraphs).join(' '));
}

/** The notes a notes page holds: every shape but the slide's picture, its number, header and footer. */
function notesParagraphs(root: Document): string[] {
  const furniture = ['sldImg', 'sldNum', 'hdr', 'ftr', 'dt'];
  return elements(root, 'p:sp').filter((sp) => !furniture.includes(element(sp, 'p:ph')?.getAttribute('type') ?? '')).flatMap(paragraphs);
}

/** The package's title (docProps/core.xml), when it has a real one. */
function coreTitle(zip: ZipArchive): string | null {
  const core = zip.text('docProps/core.xml');
  const title = core ? squeeze(element(parseXml(core), 'dc:title')?.textContent ?? '') : '';
  return title && !/^(powerpoint presentation|presentation\d*)$/i.test(title) ? title : null;
}

/** A part's relationships (its _rels file) by id, targets resolved to paths in the archive. */
export function relationships(zip: ZipArchive, part: string): Map<string, { type: string; target: string }> {
  const dir = posix.dirname(part);
  const xml = zip.text(posix.join(dir, '_rels', `${posix.basename(part)}.rels`));
  const out = new Map<string, { type: string; target: string }>();
  if (!xml) return out;
  for (const rel of elements(parseXml(xml), 'Relationship')) {
    const target = rel.getAttribute('Target') ?? '';
    if (rel.getAttribute('TargetMode') === 'External') continue;
    const path = target.startsWith('/') ? target.slice(1) : posix.normalize(posix.join(dir, target));
    out.set(rel.getAttribute('Id') ?? '', { type: rel.getAttribute('Type') ?? '', target: path });
  }
  return out;
}
