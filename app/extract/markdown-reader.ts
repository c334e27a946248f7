// MarkdownReader: one section per heading, each with the path of headings above it. A small line
// scanner, not a full CommonMark parser: ATX and setext headings, fenced code kept verbatim (a '#'
// inside a fence is code, not a heading), YAML front matter read for its title and left out.
import { baseName, extensionOf, skipped } from './results.ts';
import { decodeText, looksLikeText } from './text-decoding.ts';
import type { ExtractInput, ExtractResult, Section } from './types.ts';

export async function readMarkdown({ bytes, name }: ExtractInput): Promise<ExtractResult> {
  if (!looksLikeText(bytes)) return skipped('unsupported', `Binary content in a .${extensionOf(name) || 'md'} file`);
  const { text: raw, encoding } = decodeText(bytes);
  const { body, title: frontMatterTitle } = splitFrontMatter(raw.replace(/\r\n?/g, '\n'));
  const { sections, firstH1 } = markdownSections(body);
  if (sections.length === 0) return skipped('empty', 'File contains only whitespace');
  return {
    ok: true,
    doc: {
      kind: 'file',
      title: frontMatterTitle || firstH1 || baseName(name),
      mime: 'text/markdown',
      sections,
      metadata: { encoding },
      children: [],
    },
  };
}

interface Heading { level: number; text: string }
type Draft = Section & { headingOnly: boolean };

export function markdownSections(markdown: string): { sections: Section[]; firstH1: string | null } {
  const drafts: Draft[] = [];
  const path: Heading[] = [];
  let headingPath: string[] = [];
  let lines: string[] = [];
  let heading: string | null = null;
  let firstH1: string | null = null;
  let fence: { char: string; length: number } | null = null;
  let paragraphStart = -1; // index in `lines` where the open paragraph starts, for setext headings

  const flush = () => {
    const text = lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
    if (text) drafts.push({ text, headingPath, headingOnly: heading !== null && text === heading });
  };
  const startSection = (level: number, text: string) => {
    flush();
    while (path.length > 0 && path.at(-1)!.level >= level) path.pop();
    path.push({ level, text });
    headingPath = path.map((h) => h.text);
    if (level === 1 && firstH1 === null) firstH1 = text;
    heading = text;
    lines = [text];
    paragraphStart = -1;
  };

  for (const line of markdown.split('\n')) {
    if (fence) {
      lines.push(line);
      const close = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.length) fence = null;
      continue;
    }
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (open) {
      fence = { char: open[1]![0]!, length: open[1]!.length };
      lines.push(line);
      paragraphStart = -1;
      continue;
    }
    const atx = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (atx) {
      const text = (atx[2] ?? '').replace(/^#+$/, '').trim();
      if (text) startSection(atx[1]!.length, text);
      else paragraphStart = -1;
      continue;
    }
    const underline = /^ {0,3}(=+|-+)[ \t]*$/.exec(line);
    if (underline && paragraphStart >= 0) {
      const text = lines.splice(paragraphStart).map((l) => l.trim()).join(' ');
      startSection(underline[1]![0] === '=' ? 1 : 2, text);
      continue;
    }
    lines.push(line);
    if (!line.trim()) paragraphStart = -1;
    // Only a plain paragraph can become a setext heading; list items, quotes and code cannot.
    else if (paragraphStart < 0 && !/^( {4}|\t| {0,3}([-*+>]|\d+[.)])([ \t]|$))/.test(line)) paragraphStart = lines.length - 1;
  }
  flush();

  // A heading directly followed by a subheading would be a one-line chunk; its text already
  // lives in the headingPath of the sections below it.
  const withBody = drafts.filter((d) => !d.headingOnly);
  const kept = withBody.length > 0 ? withBody : drafts;
  return { sections: kept.map(({ text, headingPath: hp }) => ({ text, headingPath: hp })), firstH1 };
}

/** Strips a leading YAML front matter block and returns its `title:` if it has one. */
function splitFrontMatter(text: string): { body: string; title: string | null } {
  const start = text.startsWith('\ufeff') ? 1 : 0;
  if (!text.startsWith('---\n', start)) return { body: text, title: null };
  const end = /^(---|\.\.\.)[ \t]*$/m.exec(text.slice(start + 4));
  if (!end) return { body: text, title: null };
  const yaml = text.slice(start + 4, start + 4 + end.index);
  const body = text.slice(start + 4 + end.index + end[0].length);
  const title = /^title:[ \t]*(.+?)[ \t]*$/m.exec(yaml)?.[1]?.replace(/^(['"])(.*)\1$/, '$2').trim();
  return { body, title: title || null };
}
