// XML parts of office documents and e-books, parsed leniently (linkedom, as for HTML): a broken
// part yields what it holds instead of nothing. Elements are found by their qualified names as the
// formats write them ('a:t', 'text:p'), which every writer in practice keeps.
import { DOMParser } from 'linkedom';

export function parseXml(text: string): Document {
  return new DOMParser().parseFromString(text, 'text/xml') as unknown as Document;
}

/** Elements with this qualified name below `root`, in document order. */
export function elements(root: Document | Element, name: string): Element[] {
  return [...root.getElementsByTagName(name)];
}

/** Every element below `root`, in document order (linkedom's XML documents do not answer '*'). */
export function descendants(root: Element): Element[] {
  const out: Element[] = [];
  const visit = (el: Element) => {
    for (const child of [...el.children]) {
      out.push(child);
      visit(child);
    }
  };
  visit(root);
  return out;
}

/** The first element with this qualified name below `root`, or null. */
export function element(root: Document | Element, name: string): Element | null {
  return root.getElementsByTagName(name)[0] ?? null;
}

/** Child elements of `parent` (direct only), optionally with this qualified name. */
export function childElements(parent: Element, name?: string): Element[] {
  return [...parent.children].filter((c) => name === undefined || c.tagName === name);
}

/** Runs of white space as one space, trimmed: the text as a reader sees it. */
export function squeeze(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
