// Markdown for answers (MarkdownRenderer.tsx), loaded in its own chunk soon after the window
// starts, so that the parser is not in the way of the first paint; until it arrives the text
// shows as it is.
import { lazy, Suspense } from 'react';
import type { ChatSource } from '../../../app/contract/index.ts';

const load = () => import('./MarkdownRenderer.tsx');
const MarkdownRenderer = lazy(load);

// Fetched once the window is idle, before any answer needs it.
if (typeof window !== 'undefined') (window.requestIdleCallback ?? ((f: () => void) => setTimeout(f, 200)))(() => void load());

export interface MarkdownProps {
  text: string;
  sources?: readonly ChatSource[];
  onOpenSource?: (source: ChatSource) => void;
  className?: string;
}

export function Markdown(props: MarkdownProps) {
  return (
    <Suspense fallback={<div className={`c-md c-md--plain${props.className ? ` ${props.className}` : ''}`}>{props.text}</div>}>
      <MarkdownRenderer {...props} />
    </Suspense>
  );
}
