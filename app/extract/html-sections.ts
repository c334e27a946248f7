// Turns an HTML tree into sections split at headings, with readable line breaks: used by
// HtmlReader, by DocxReader (mammoth turns a .docx into HTML) and for HTML-only emails.
import type { Section } from './types.ts';

const skipped = new Set([
  'script', 'style', 'noscript', 'template', 'head', 'svg', 'math', 'iframe', 'object', 'embed',
  'canvas', 'select', 'button', 'img', 'video', 'audio', 'nav',
]);
const blocks = new Set([
  'p', 'div', 'section', 'article', 'main', 'aside', 'header', 'footer', 'nav', 'ul', 'ol', 'dl',
  'dt', 'dd', 'blockquote', 'figure', 'figcaption', 'address', 'hr', 'form', 'fieldset', 'details',
  'summary', 'caption', 'body', 'html', 'center', 'li', 'tr',
]);

/** The sections of an element's content; text before the first heading has an empty headingPath. */
export function htmlSections(root: Node): Section[] {
  const builder = new SectionBuilder();
  walk(root, builder);
  return builder.finish();
}

/** The text of an HTML tree without sections: headings become lines like everything else. */
export function htmlText(root: Node): string {
  return htmlSections(root).map((s) => s.text).join('\n\n');
}

function walk(node: Node, out: SectionBuilder): void {
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === 3) {
      out.text(child.nodeValue ?? '');
      continue;
    }
    if (child.nodeType !== 1) continue;
    const element = child as Element;
    const tag = element.localName.toLowerCase();
    if (skipped.has(tag)) continue;
    const level = /^h([1-6])$/.exec(tag)?.[1];
    if (level) {
      const text = inlineText(element);
      if (text) out.heading(Number(level), text);
      continue;
    }
    switch (tag) {
      case 'br':
        out.newline();
        break;
      case 'pre':
        out.paragraphBreak();
        out.verbatim(element.textContent ?? '');
        out.paragraphBreak();
        break;
      case 'table':
        out.paragraphBreak();
        for (const row of tableRows(element)) out.line(row);
        out.paragraphBreak();
        break;
      case 'li':
        out.lineBreak();
        out.text('- ');
        walk(element, out);
        out.lineBreak();
        break;
      default:
        if (blocks.has(tag)) {
          out.paragraphBreak();
          walk(element, out);
          out.paragraphBreak();
        } else {
          walk(element, out);
        }
    }
  }
}

/** Each row of a table as "cell | cell | cell", nested tables flattened into their cell. */
function tableRows(table: Element): string[] {
  const rows: string[] = [];
  const visit = (node: Element) => {
    for (const child of Array.from(node.children)) {
      const tag = child.localName.toLowerCase();
      if (tag === 'tr') {
        const cells = Array.from(child.children)
          .filter((c) => /^t[dh]$/i.test(c.localName))
          .map((c) => inlineText(c));
        if (cells.some((c) => c)) rows.push(cells.join(' | '));
      } else if (tag === 'thead' || tag === 'tbody' || tag === 'tfoot') {
        visit(child);
      }
    }
  };
  visit(table);
  return rows;
}

/** The text of an element on one line: block children are separated by spaces. */
function inlineText(element: Element): string {
  const parts: string[] = [];
  const visit = (node: Node) => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 3) parts.push(child.nodeValue ?? '');
      else if (child.nodeType === 1 && !skipped.has((child as Element).localName.toLowerCase())) {
        parts.push(' ');
        visit(child);
        parts.push(' ');
      }
    }
  };
  visit(element);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

/**
 * Accumulates text with HTML's whitespace rules and cuts it into sections at headings. Pieces
 * go to an array and the state at the end (a space owed, trailing newlines) is tracked apart, so
 * no call rescans the text so far: large HTML emails stay linear.
 */
class SectionBuilder {
  readonly #sections: Array<Section & { headingOnly: boolean }> = [];
  readonly #path: Array<{ level: number; text: string }> = [];
  #parts: string[] = [];
  #spaceOwed = false;
  #trailingNewlines = 0;
  #headingPath: string[] = [];
  #heading: string | null = null;

  text(raw: string): void {
    const text = raw.replace(/\s+/g, ' ');
    if (text === '') return;
    const content = text.trim();
    if (content === '') {
      this.#spaceOwed = true;
      return;
    }
    if ((this.#spaceOwed || text.startsWith(' ')) && !this.#atLineStart()) this.#parts.push(' ');
    this.#parts.push(content);
    this.#spaceOwed = text.endsWith(' ');
    this.#trailingNewlines = 0;
  }

  verbatim(text: string): void {
    const content = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '');
    if (content === '') return;
    this.#parts.push(content);
    this.#spaceOwed = false;
    this.#trailingNewlines = 0;
  }

  line(text: string): void {
    this.lineBreak();
    this.verbatim(text);
    this.lineBreak();
  }

  newline(): void {
    this.#parts.push('\n');
    this.#spaceOwed = false;
    this.#trailingNewlines++;
  }

  lineBreak(): void {
    this.#spaceOwed = false;
    if (this.#parts.length > 0 && this.#trailingNewlines === 0) this.newline();
  }

  paragraphBreak(): void {
    this.lineBreak();
    if (this.#parts.length > 0 && this.#trailingNewlines < 2) this.newline();
  }

  heading(level: number, text: string): void {
    this.#flush();
    while (this.#path.length > 0 && this.#path.at(-1)!.level >= level) this.#path.pop();
    this.#path.push({ level, text });
    this.#headingPath = this.#path.map((h) => h.text);
    this.#heading = text;
    this.#parts = [text];
    this.paragraphBreak();
  }

  finish(): Section[] {
    this.#flush();
    // As in Markdown: a heading with nothing under it but subheadings lives on in their paths.
    const withBody = this.#sections.filter((s) => !s.headingOnly);
    return (withBody.length > 0 ? withBody : this.#sections).map(({ text, headingPath }) => ({ text, headingPath }));
  }

  #atLineStart(): boolean {
    return this.#parts.length === 0 || this.#trailingNewlines > 0;
  }

  #flush(): void {
    const text = this.#parts
      .join('')
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
    if (text) this.#sections.push({ text, headingPath: this.#headingPath, headingOnly: text === this.#heading });
    this.#parts = [];
    this.#spaceOwed = false;
    this.#trailingNewlines = 0;
  }
}
