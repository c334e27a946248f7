// Reads a fetched page into sections: HTML through the library's HTML reader (Readability) after
// scripts, styles and hidden text are taken out; PDF through the library's PDF reader; plain text
// as it is. Web text is untrusted: what a page hides from its readers never reaches the model.
import { parseHTML } from 'linkedom';
import { extractBytes, type Section } from '../extract/index.ts';
import type { FetchedPage, SkipCode } from './fetcher.ts';

export type ReadPage =
  | { ok: true; url: string; title: string; sections: Section[]; truncated: boolean }
  | { ok: false; url: string; code: SkipCode; reason: string };

const REMOVED = 'script, style, noscript, template, iframe, object, embed, [hidden], [aria-hidden="true"], meta[charset], meta[http-equiv]';
const HIDDEN_STYLE =
  /(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden|content-visibility\s*:\s*hidden|opacity\s*:\s*0(?:\.0*)?|font-size\s*:\s*0(?:px|em|rem|%)?)\s*(?:!important\s*)?(?:;|$)/i;

const HIDING_RULE = /([^{}]+)\{([^{}]*)\}/g;

/**
 * Selectors that the page's own style sheets hide (`.trap { display: none }`): simple rules only,
 * no cascade or media queries; enough for text hidden from readers but left for machines.
 */
function hiddenSelectors(document: { querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }> }): string[] {
  const selectors: string[] = [];
  for (const style of Array.from(document.querySelectorAll('style'))) {
    for (const [, selector, body] of (style.textContent ?? '').matchAll(HIDING_RULE)) {
      if (HIDDEN_STYLE.test(body!.trim()) && !/@|:(?:hover|focus|active|before|after)/.test(selector!)) selectors.push(selector!.trim());
    }
  }
  return selectors;
}

/** The HTML with everything a reader would not see removed, as a string. */
export function visibleHtml(html: string): string {
  const { document } = parseHTML(html);
  for (const selector of hiddenSelectors(document)) {
    try {
      for (const element of Array.from(document.querySelectorAll(selector))) element.remove();
    } catch {
      // A selector linkedom does not understand: leave what it would have matched.
    }
  }
  for (const element of Array.from(document.querySelectorAll(REMOVED))) element.remove();
  for (const element of Array.from(document.querySelectorAll('[style]'))) {
    if (HIDDEN_STYLE.test(element.getAttribute('style') ?? '')) element.remove();
  }
  return document.toString();
}

function decode(bytes: Uint8Array, charset: string | null): string {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 4096)).toString('latin1');
  const declared = charset ?? /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1] ?? 'utf-8';
  try {
    return new TextDecoder(declared).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

function nameFor(url: string, extension: string): string {
  const last = new URL(url).pathname.split('/').filter(Boolean).at(-1) ?? '';
  const base = decodeURIComponent(last).replace(/\.[a-z0-9]{1,5}$/i, '') || new URL(url).hostname;
  return `${base}.${extension}`;
}

export async function readPage(page: FetchedPage): Promise<ReadPage> {
  if (!page.ok) return page;
  const input =
    page.format === 'html'
      ? { bytes: new TextEncoder().encode(visibleHtml(decode(page.bytes, page.charset))), name: nameFor(page.url, 'html'), mime: 'text/html' }
      : page.format === 'pdf'
        ? { bytes: page.bytes, name: nameFor(page.url, 'pdf'), mime: 'application/pdf' }
        : { bytes: new TextEncoder().encode(decode(page.bytes, page.charset)), name: nameFor(page.url, 'txt'), mime: 'text/plain' };
  const result = await extractBytes(input);
  if (!result.ok) return { ok: false, url: page.url, code: 'no-text', reason: result.reason };
  const sections = result.doc.sections.filter((s) => s.text.trim());
  if (sections.length === 0) return { ok: false, url: page.url, code: 'no-text', reason: 'no readable text' };
  const title = result.doc.title && result.doc.title !== input.name ? result.doc.title : new URL(page.url).hostname;
  return { ok: true, url: page.url, title, sections, truncated: page.truncated };
}
