// Syntax highlighting (lowlight: highlight.js's grammars, as a syntax tree), for CodeBlock. Loaded
// lazily. Long blocks and unknown languages stay plain: guessing costs more than it gives.
import { common, createLowlight } from 'lowlight';
import type { ReactNode } from 'react';

const lowlight = createLowlight(common);
const MAX = 20_000;

interface Node {
  type: string;
  value?: string;
  properties?: { className?: string[] };
  children?: Node[];
}

function toReact(node: Node, key: number): ReactNode {
  if (node.type === 'text') return node.value ?? '';
  const children = (node.children ?? []).map(toReact);
  if (node.type === 'element') {
    const classes = (node.properties?.className ?? []).map((c) => c.replace(/^hljs-/, 'hl-')).join(' ');
    return (
      <span key={key} className={classes}>
        {children}
      </span>
    );
  }
  return children;
}

export function highlight(code: string, language: string | null): ReactNode[] | null {
  if (code.length > MAX) return null;
  try {
    const tree = language && lowlight.registered(language) ? lowlight.highlight(language, code) : code.length < 2000 ? lowlight.highlightAuto(code) : null;
    return tree ? (tree.children as Node[]).map(toReact) : null;
  } catch {
    return null;
  }
}
