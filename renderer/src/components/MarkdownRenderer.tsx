// Answers as Markdown: headings, lists, tables (GFM), code with highlighting and a copy button,
// and each [n] as a citation chip. Raw HTML from a model or a document is never rendered (it is
// dropped), images are shown as their text (nothing is fetched), links open outside the window.
// Streaming stays smooth: the text is split into blocks and only the last one re-renders.
// Loaded lazily through Markdown.tsx.
import { createContext, memo, useContext, useMemo, type ReactNode } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import type { ChatSource } from '../../../app/contract/index.ts';
import { CitationChip } from './CitationChip.tsx';
import { CodeBlock } from './CodeBlock.tsx';
import { splitBlocks } from './markdown-blocks.ts';

interface Citations {
  sources: readonly ChatSource[];
  onOpen: (source: ChatSource) => void;
}

const CitationContext = createContext<Citations>({ sources: [], onOpen: () => {} });

interface MdNode {
  type: string;
  value?: string;
  children?: MdNode[];
  data?: { hName?: string; hProperties?: Record<string, unknown> };
}

/** A remark plugin: `[3]` in running text becomes a `cite` element (not inside code or links). */
function remarkCitations() {
  const visit = (node: MdNode) => {
    if (!node.children || node.type === 'link' || node.type === 'linkReference') return;
    const next: MdNode[] = [];
    for (const child of node.children) {
      if (child.type !== 'text' || !child.value || !/\[\d{1,3}\]/.test(child.value)) {
        visit(child);
        next.push(child);
        continue;
      }
      let last = 0;
      for (const match of child.value.matchAll(/\[(\d{1,3})\]/g)) {
        if (match.index > last) next.push({ type: 'text', value: child.value.slice(last, match.index) });
        next.push({ type: 'citation', data: { hName: 'cite', hProperties: { dataN: match[1] } }, children: [] });
        last = match.index + match[0].length;
      }
      if (last < child.value.length) next.push({ type: 'text', value: child.value.slice(last) });
    }
    node.children = next;
  };
  return (tree: MdNode) => visit(tree);
}

function Cite({ n }: { n: number }) {
  const { sources, onOpen } = useContext(CitationContext);
  return <CitationChip n={n} source={sources.find((s) => s.n === n)} onOpen={onOpen} />;
}

interface HastElement {
  type: string;
  tagName?: string;
  value?: string;
  properties?: Record<string, unknown>;
  children?: HastElement[];
}

function textOf(node: HastElement | undefined): string {
  if (!node) return '';
  if (node.type === 'text') return node.value ?? '';
  return (node.children ?? []).map(textOf).join('');
}

const components: Components = {
  cite: ({ node }) => <Cite n={Number((node as HastElement | undefined)?.properties?.dataN)} />,
  pre: ({ node }) => {
    const code = (node as HastElement | undefined)?.children?.find((c) => c.tagName === 'code');
    const classes = (code?.properties?.className as string[] | undefined) ?? [];
    const language = classes.find((c) => c.startsWith('language-'))?.slice('language-'.length) ?? null;
    return <CodeBlock code={textOf(code).replace(/\n$/, '')} language={language} />;
  },
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noreferrer noopener">
      {children}
    </a>
  ),
  img: ({ alt }) => <span className="c-md__image">{alt ? `[${alt}]` : ''}</span>,
  table: ({ children }) => (
    <div className="c-md__table">
      <table>{children}</table>
    </div>
  ),
};

const remarkPlugins = [remarkGfm, remarkCitations];

const Block = memo(function Block({ text }: { text: string }) {
  return (
    <ReactMarkdown remarkPlugins={remarkPlugins} components={components} skipHtml>
      {text}
    </ReactMarkdown>
  );
});

export default function MarkdownRenderer({ text, sources = [], onOpenSource, className }: { text: string; sources?: readonly ChatSource[]; onOpenSource?: (source: ChatSource) => void; className?: string }): ReactNode {
  const blocks = useMemo(() => splitBlocks(text), [text]);
  const citations = useMemo(() => ({ sources, onOpen: onOpenSource ?? (() => {}) }), [sources, onOpenSource]);
  return (
    <CitationContext.Provider value={citations}>
      <div className={`c-md${className ? ` ${className}` : ''}`}>
        {blocks.map((block, i) => (
          <Block key={i} text={block} />
        ))}
      </div>
    </CitationContext.Provider>
  );
}
