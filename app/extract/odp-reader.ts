// OdpReader: an OpenDocument presentation (LibreOffice Impress), each slide a "page": its title,
// its text frames and its speaker notes as a section of their own.
import { baseName, failed } from './results.ts';
import { odfText, odfTitle } from './odf.ts';
import type { ExtractInput, ExtractResult, Section } from './types.ts';
import { childElements, descendants, elements, parseXml, squeeze } from './xml.ts';
import { ZipArchive, zipProblem } from './zip.ts';

export async function readOdp({ bytes, name }: ExtractInput): Promise<ExtractResult> {
  try {
    const zip = ZipArchive.open(bytes);
    const content = zip.text('content.xml');
    if (content === null) return failed('damaged', 'ODP file is damaged: it has no content.xml');
    const pages = elements(parseXml(content), 'draw:page');
    const sections: Section[] = [];
    let firstTitle: string | null = null;
    pages.forEach((page, i) => {
      const number = i + 1;
      const frames = childElements(page, 'draw:frame').concat(childElements(page, 'draw:custom-shape'), childElements(page, 'draw:g'));
      const titleFrame = frames.find((f) => f.getAttribute('presentation:class') === 'title');
      const title = titleFrame ? squeeze(lines(titleFrame).join(' ')) : '';
      firstTitle ??= title || null;
      const heading = title ? [title] : [];
      const text = frames.flatMap(lines).join('\n');
      if (text) sections.push({ text, page: number, headingPath: heading });
      const notes = childElements(page, 'presentation:notes')[0];
      // The notes page repeats the slide as a thumbnail (class "page"); the rest is the notes.
      const furniture = ['page', 'page-number', 'header', 'footer', 'date-time'];
      const notesText = notes
        ? childElements(notes, 'draw:frame').filter((f) => !furniture.includes(f.getAttribute('presentation:class') ?? '')).flatMap(lines).join('\n')
        : '';
      if (notesText) sections.push({ text: notesText, page: number, headingPath: [...heading, 'Speaker notes'] });
    });
    if (sections.length === 0) return failed('no-text', `ODP presentation has no text (${pages.length} slides)`);
    return {
      ok: true,
      doc: {
        kind: 'file',
        title: odfTitle(zip) ?? firstTitle ?? baseName(name),
        mime: 'application/vnd.oasis.opendocument.presentation',
        sections,
        metadata: { slides: pages.length },
        children: [],
      },
    };
  } catch (error) {
    return zipProblem('ODP', error);
  }
}

/** The paragraphs and headings inside a frame (text boxes, tables, lists), as lines. */
function lines(frame: Element): string[] {
  return descendants(frame)
    .filter((e) => e.tagName === 'text:p' || e.tagName === 'text:h')
    .map((p) => odfText(p).split('\n').map(squeeze).filter(Boolean).join('\n'))
    .filter(Boolean);
}
