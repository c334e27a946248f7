// What the OpenDocument readers (ODT, ODP) share: the text of an element as LibreOffice shows it
// (text:s is spaces, text:tab a tab, text:line-break a new line; notes and annotations left out),
// and the document's title from meta.xml.
import { element, parseXml, squeeze } from './xml.ts';
import type { ZipArchive } from './zip.ts';

const leftOut = new Set(['text:note', 'office:annotation', 'text:tracked-changes', 'draw:image', 'svg:desc', 'svg:title']);

export function odfText(node: Element): string {
  let text = '';
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === 3) {
      text += (child.nodeValue ?? '').replace(/\s+/g, ' ');
      continue;
    }
    if (child.nodeType !== 1) continue;
    const el = child as Element;
    if (leftOut.has(el.tagName)) continue;
    if (el.tagName === 'text:s') text += ' '.repeat(Math.min(Number(el.getAttribute('text:c') ?? 1) || 1, 100));
    else if (el.tagName === 'text:tab') text += '\t';
    else if (el.tagName === 'text:line-break') text += '\n';
    else text += odfText(el);
  }
  return text;
}

/** The title in meta.xml, or null. */
export function odfTitle(zip: ZipArchive): string | null {
  const meta = zip.text('meta.xml');
  const title = meta ? squeeze(element(parseXml(meta), 'dc:title')?.textContent ?? '') : '';
  return title || null;
}
