// HtmlReader: the readable part of a page (Mozilla Readability, as in Firefox's reader view) or,
// when Readability finds no article, the whole body; scripts, styles and navigation left out.
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { htmlSections } from './html-sections.ts';
import { baseName, skipped } from './results.ts';
import { decodeText } from './text-decoding.ts';
import type { ExtractInput, ExtractResult, Section } from './types.ts';

export async function readHtml({ bytes, name }: ExtractInput): Promise<ExtractResult> {
  const html = decodeHtml(bytes);
  const { document } = parseHTML(html);
  const title = oneLine(document.title) || oneLine(document.querySelector('h1')?.textContent ?? '') || baseName(name);
  // Readability changes the document it reads, so the fallback needs a fresh one.
  const sections = withinReadabilityLimit(html)
    ? (readableSections(document) ?? htmlSections(parseHTML(html).document.documentElement))
    : htmlSections(document.documentElement);
  if (sections.length === 0) return skipped('no-text', 'HTML page has no readable text');
  return {
    ok: true,
    doc: { kind: 'file', title, mime: 'text/html', sections, metadata: {}, children: [] },
  };
}

// Readability takes seconds on very large pages (its own element limit relies on
// getElementsByTagName('*'), which linkedom answers with nothing); such pages are read whole.
const readabilityMaxElements = 20_000;

function withinReadabilityLimit(html: string): boolean {
  let elements = 0;
  for (const _tag of html.matchAll(/<[a-z]/gi)) if (++elements > readabilityMaxElements) return false;
  return true;
}

/** The article Readability finds, as sections; null when it finds none. Changes `document`. */
function readableSections(document: Document): Section[] | null {
  let article: { content?: string | null; textContent?: string | null } | null;
  try {
    article = new Readability(document as unknown as globalThis.Document).parse();
  } catch {
    return null; // Readability gives up on some odd trees; the whole body is read instead
  }
  if (!article?.content || !article.textContent?.trim()) return null;
  const sections = htmlSections(parseHTML(`<!doctype html><html><body>${article.content}</body></html>`).document.body);
  return sections.length > 0 ? sections : null;
}

/** Decodes with the BOM, else the charset a <meta> declares, else UTF-8 (windows-1252 fallback). */
function decodeHtml(bytes: Uint8Array): string {
  const hasBom = bytes[0] === 0xef || bytes[0] === 0xff || bytes[0] === 0xfe;
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 4096)).toString('latin1');
  const declared = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1];
  if (!hasBom && declared && !/^utf-?8$/i.test(declared)) {
    try {
      return new TextDecoder(declared).decode(bytes);
    } catch {
      // An unknown label: decode as if none were given.
    }
  }
  return decodeText(bytes).text;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

type Document = ReturnType<typeof parseHTML>['document'];
