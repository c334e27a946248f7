// EpubReader: an e-book, its chapters in reading order (the spine) as sections headed by their
// titles from the table of contents (EPUB 3 nav or EPUB 2 NCX), each chapter's XHTML cut at its
// headings like any HTML. A DRM-protected book (its chapters encrypted) is reported as such.
import { posix } from 'node:path';
import { parseHTML } from 'linkedom';
import { htmlSections } from './html-sections.ts';
import { baseName, failed } from './results.ts';
import type { ExtractInput, ExtractResult, Section } from './types.ts';
import { element, elements, parseXml, squeeze } from './xml.ts';
import { ZipArchive, zipProblem } from './zip.ts';

export async function readEpub({ bytes, name }: ExtractInput): Promise<ExtractResult> {
  try {
    const zip = ZipArchive.open(bytes);
    const container = zip.text('META-INF/container.xml');
    const opfPath = container ? element(parseXml(container), 'rootfile')?.getAttribute('full-path') : null;
    const opfText = opfPath ? zip.text(opfPath) : null;
    if (!opfPath || opfText === null) return failed('damaged', 'EPUB file is damaged: no package document (META-INF/container.xml)');
    const opf = parseXml(opfText);
    const dir = posix.dirname(opfPath);
    const resolve = (href: string) => posix.normalize(posix.join(dir, decodeURIComponent(href.split('#')[0]!)));
    const manifest = new Map(elements(opf, 'item').map((i) => [i.getAttribute('id') ?? '', { path: resolve(i.getAttribute('href') ?? ''), properties: i.getAttribute('properties') ?? '', type: i.getAttribute('media-type') ?? '' }]));
    const spine = elements(opf, 'itemref').map((r) => manifest.get(r.getAttribute('idref') ?? '')).filter((i) => i !== undefined);
    const encrypted = encryptedPaths(zip);
    if (spine.some((item) => encrypted.has(item.path))) return failed('encrypted', 'EPUB is DRM-protected (its chapters are encrypted)');
    const titles = chapterTitles(zip, [...manifest.values()]);

    const sections: Section[] = [];
    for (const item of spine) {
      const xhtml = zip.text(item.path);
      if (xhtml === null) continue;
      const { document } = parseHTML(xhtml);
      const chapter = titles.get(item.path);
      for (const section of htmlSections(document.body ?? document.documentElement)) {
        const path = chapter && section.headingPath[0] !== chapter ? [chapter, ...section.headingPath] : section.headingPath;
        sections.push({ ...section, headingPath: path });
      }
    }
    if (sections.length === 0) return failed('no-text', 'EPUB book has no text');
    const title = squeeze(element(opf, 'dc:title')?.textContent ?? '');
    const author = squeeze(element(opf, 'dc:creator')?.textContent ?? '');
    const language = squeeze(element(opf, 'dc:language')?.textContent ?? '');
    return {
      ok: true,
      doc: {
        kind: 'file',
        title: title || baseName(name),
        mime: 'application/epub+zip',
        sections,
        metadata: { chapters: spine.length, ...(author ? { author } : {}), ...(language ? { language } : {}) },
        children: [],
      },
    };
  } catch (error) {
    return zipProblem('EPUB', error);
  }
}

/** Files META-INF/encryption.xml says are encrypted (fonts obfuscated by the standard's scheme aside). */
function encryptedPaths(zip: ZipArchive): Set<string> {
  const xml = zip.text('META-INF/encryption.xml');
  if (!xml) return new Set();
  return new Set(elements(parseXml(xml), 'enc:CipherReference').concat(elements(parseXml(xml), 'CipherReference'))
    .map((c) => posix.normalize(decodeURIComponent(c.getAttribute('URI') ?? ''))));
}

/** Chapter titles by file, from the EPUB 3 navigation document, else the EPUB 2 NCX; the first entry for a file wins. */
function chapterTitles(zip: ZipArchive, items: { path: string; properties: string; type: string }[]): Map<string, string> {
  const titles = new Map<string, string>();
  const add = (base: string, href: string, label: string) => {
    const path = posix.normalize(posix.join(posix.dirname(base), decodeURIComponent(href.split('#')[0]!)));
    if (label && !titles.has(path)) titles.set(path, label);
  };
  const nav = items.find((i) => i.properties.split(/\s+/).includes('nav'));
  const navText = nav ? zip.text(nav.path) : null;
  if (nav && navText) {
    const { document } = parseHTML(navText);
    const toc = [...document.querySelectorAll('nav')].find((n) => /toc/.test(n.getAttribute('epub:type') ?? n.getAttribute('type') ?? '')) ?? document.querySelector('nav');
    for (const a of toc ? [...toc.querySelectorAll('a[href]')] : []) add(nav.path, a.getAttribute('href') ?? '', squeeze(a.textContent ?? ''));
  }
  if (titles.size === 0) {
    const ncx = items.find((i) => i.type === 'application/x-dtbncx+xml');
    const ncxText = ncx ? zip.text(ncx.path) : null;
    if (ncx && ncxText) {
      for (const point of elements(parseXml(ncxText), 'navPoint')) {
        const label = squeeze(element(point, 'text')?.textContent ?? '');
        add(ncx.path, element(point, 'content')?.getAttribute('src') ?? '', label);
      }
    }
  }
  return titles;
}
