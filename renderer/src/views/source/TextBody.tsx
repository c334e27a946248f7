// A document's text as indexed, with its chunks faintly told apart and the cited one marked by its
// stored offsets, scrolled into view once shown.
import { useEffect, useMemo, useRef } from 'react';
import type { ChunkSpan } from '../../../../app/contract/api.ts';
import { segments } from './segments.ts';

export interface TextBodyProps {
  text: string;
  /** Document offset where `text` starts. */
  offset: number;
  chunks: readonly ChunkSpan[];
  citedId: number | null;
  /** Show from this document offset on (an email's body after its header lines). */
  from?: number;
  /** Scroll the cited passage into view when shown. */
  scrollToCited?: boolean;
}

export function TextBody({ text, offset, chunks, citedId, from = offset, scrollToCited = true }: TextBodyProps) {
  const pieces = useMemo(() => segments(text, offset, chunks, citedId, from), [text, offset, chunks, citedId, from]);
  const cited = useRef<HTMLElement | null>(null);
  // Once, when first shown: a refetch (after an import) must not move the reader.
  useEffect(() => {
    if (scrollToCited) cited.current?.scrollIntoView({ block: 'center' });
  }, []);
  let first = true;
  return (
    <div className="source-text">
      {pieces.map((piece) => {
        const body = text.slice(piece.start, piece.end);
        const tone = piece.chunk === null ? '' : ` source-text__chunk--${piece.chunk % 2 ? 'odd' : 'even'}`;
        if (!piece.cited) {
          return (
            <span key={piece.start} className={`source-text__piece${tone}`}>
              {body}
            </span>
          );
        }
        const ref = first ? (element: HTMLElement | null) => void (cited.current = element) : undefined;
        first = false;
        return (
          <mark key={piece.start} ref={ref} className={`source-text__passage${tone}`} data-testid="passage">
            {body}
          </mark>
        );
      })}
    </div>
  );
}
