// A PDF at the cited page, drawn by pdf.js with its text layer, and the passage marked from the
// chunk's stored offsets: the page text is joined from the same text items by the reader's own
// rule (app/contract/pdf-text.ts), checked against the chunk's text, and the items it came from
// are marked; nothing is searched for. A page read by OCR gets the boxes of the passage's lines.
// Pages one at a time, previous/next and a page number, zoom and fit to width.
import { ChevronLeft, ChevronRight, Locate, MoveHorizontal, ZoomIn, ZoomOut } from 'lucide-react';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { DocumentText } from '../../../../app/contract/api.ts';
import { itemRanges, ocrBoxes, passageOnPage, pdfPageText, type ItemRange, type PassageOnPage } from '../../../../app/contract/pdf-text.ts';
import { IconButton } from '../../components/Button.tsx';
import { Spinner } from '../../components/Spinner.tsx';
import { useT } from '../../i18n/index.tsx';
import { Quoted, ReindexButton } from './DocumentBody.tsx';
import { openPdf, TextLayer, type PDFDocumentProxy, type RenderTask } from './pdf.ts';

/** CSS pixels per PDF point at 100%. */
const CSS_UNITS = 96 / 72;
const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3, 4];
/** Room around the page inside the scroll area, in CSS pixels. */
const GUTTER = 16;

type Zoom = 'fit' | number;

/** What the viewer knows of the cited passage before it sees the page. */
type Passage =
  | { kind: 'text'; page: number; pageStart: number; chunk: { start: number; end: number; text: string; headingPath: string[] } }
  | { kind: 'ocr'; page: number; boxes: [number, number, number, number][]; width: number; height: number }
  | { kind: 'none'; page: number; text: string };

/** What was found when the cited page was drawn. */
type Outcome = PassageOnPage['found'] | 'ocr' | 'none';

function passageOf(content: DocumentText): Passage | null {
  const chunk = content.chunk;
  if (!chunk || chunk.page === null) return null;
  if (chunk.ocr) {
    const page = content.ocrPages.find((p) => p.page === chunk.page);
    if (!page?.width || !page.height || page.lines.length === 0) return { kind: 'none', page: chunk.page, text: chunk.text };
    return { kind: 'ocr', page: chunk.page, boxes: ocrBoxes(page.lines, chunk.start, chunk.end), width: page.width, height: page.height };
  }
  const pageStart = content.pageStarts.find((p) => p.page === chunk.page)?.start;
  if (pageStart === undefined) return { kind: 'none', page: chunk.page, text: chunk.text };
  return { kind: 'text', page: chunk.page, pageStart, chunk };
}

/** Marks the parts of the text layer's spans that the passage came from; returns the first mark. */
function markItems(layer: TextLayer, items: readonly object[], ranges: ItemRange[]): HTMLElement | null {
  // The layer has one span per text item (marked-content items have none).
  const spanOf = new Map<number, number>();
  let k = 0;
  items.forEach((item, i) => {
    if ('str' in item) spanOf.set(i, k++);
  });
  const bySpan = new Map<HTMLElement, ItemRange[]>();
  for (const range of ranges) {
    const span = layer.textDivs[spanOf.get(range.item) ?? -1];
    if (span) bySpan.set(span, [...(bySpan.get(span) ?? []), range]);
  }
  let first: HTMLElement | null = null;
  for (const [span, parts] of bySpan) {
    const text = span.textContent ?? '';
    const nodes: Node[] = [];
    let at = 0;
    for (const { from, to } of parts) {
      if (from > at) nodes.push(document.createTextNode(text.slice(at, from)));
      const mark = document.createElement('mark');
      mark.className = 'pdf-passage';
      mark.textContent = text.slice(from, to);
      nodes.push(mark);
      first ??= mark;
      at = to;
    }
    if (at < text.length) nodes.push(document.createTextNode(text.slice(at)));
    span.replaceChildren(...nodes);
  }
  return first;
}

/** Draws the OCR boxes of the passage's lines over the page (boxes in pixels of the image OCR read). */
function markBoxes(page: HTMLElement, passage: Extract<Passage, { kind: 'ocr' }>, width: number, height: number): HTMLElement | null {
  const sx = width / passage.width;
  const sy = height / passage.height;
  let first: HTMLElement | null = null;
  for (const [x0, y0, x1, y1] of passage.boxes) {
    const box = document.createElement('div');
    box.className = 'pdf-ocr-box';
    box.style.left = `${x0 * sx - 2}px`;
    box.style.top = `${y0 * sy - 2}px`;
    box.style.width = `${(x1 - x0) * sx + 4}px`;
    box.style.height = `${(y1 - y0) * sy + 4}px`;
    page.append(box);
    first ??= box;
  }
  return first;
}

export default function PdfViewer({ content, notes, onFailed }: { content: DocumentText; notes: ReactNode; onFailed: (reason: string) => void }) {
  const tr = useT();
  const { t } = tr;
  const documentId = content.document.id;
  const passage = useRef(passageOf(content)).current;
  const [pdf, setPdf] = useState<PDFDocumentProxy | null>(null);
  const [pageNumber, setPageNumber] = useState(passage?.page ?? 1);
  const [pageInput, setPageInput] = useState(String(passage?.page ?? 1));
  const [zoom, setZoom] = useState<Zoom>('fit');
  const [width, setWidth] = useState(0);
  const [drawn, setDrawn] = useState<{ page: number; scale: number; outcome: Outcome | null } | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const host = useRef<HTMLDivElement>(null);

  // Open the document once; close it (and its worker's copy) when the viewer goes.
  useEffect(() => {
    const task = openPdf(documentId, content.file!.size, (error) => onFailed(error instanceof Error ? error.message : String(error)));
    task.promise.then(setPdf, (error: unknown) => onFailed(error instanceof Error ? error.message : String(error)));
    return () => void task.destroy();
  }, [documentId]);

  // Fit to width follows the pane's width.
  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.round(entry!.contentRect.width)));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const fitWidth = zoom === 'fit' ? width : 0;
  useEffect(() => {
    if (!pdf || (zoom === 'fit' && fitWidth === 0)) return;
    let cancelled = false;
    let render: RenderTask | null = null;
    let layer: TextLayer | null = null;
    void (async () => {
      const page = await pdf.getPage(pageNumber);
      if (cancelled) return;
      const natural = page.getViewport({ scale: 1 });
      const scale = zoom === 'fit' ? Math.max(0.2, (fitWidth - 2 * GUTTER) / natural.width) : zoom * CSS_UNITS;
      const viewport = page.getViewport({ scale });
      const ratio = window.devicePixelRatio || 1;
      const box = document.createElement('div');
      box.className = 'pdf-page';
      box.setAttribute('role', 'region');
      box.setAttribute('aria-label', t('source.pdf.page', { page: pageNumber }));
      box.dataset.page = String(pageNumber);
      box.style.width = `${Math.floor(viewport.width)}px`;
      box.style.height = `${Math.floor(viewport.height)}px`;
      box.style.setProperty('--scale-factor', String(viewport.scale));
      const canvas = document.createElement('canvas');
      canvas.width = Math.floor(viewport.width * ratio);
      canvas.height = Math.floor(viewport.height * ratio);
      canvas.style.width = `${Math.floor(viewport.width)}px`;
      canvas.style.height = `${Math.floor(viewport.height)}px`;
      canvas.setAttribute('aria-hidden', 'true');
      const text = document.createElement('div');
      text.className = 'textLayer';
      box.append(canvas, text);
      render = page.render({ canvas, viewport, ...(ratio !== 1 ? { transform: [ratio, 0, 0, ratio, 0, 0] } : {}) });
      // The same text items the reader joined (no marked content, normalised), for the layer and the marking.
      const items = await page.getTextContent();
      // The layer's spans are sized by measuring their font for the PDF's language; they must be
      // drawn in that language's font too, not the window's (a Chinese window picks CJK fonts).
      text.lang = items.lang ?? '';
      layer = new TextLayer({ textContentSource: items, container: text, viewport });
      await Promise.all([render.promise, layer.render()]);
      if (cancelled) return;
      let outcome: Outcome | null = null;
      let mark: HTMLElement | null = null;
      if (passage && passage.page === pageNumber) {
        if (passage.kind === 'text') {
          const joined = pdfPageText(items.items);
          const found = passageOnPage(joined, passage.pageStart, passage.chunk);
          outcome = found.found;
          if (found.found === 'exact') mark = markItems(layer, items.items, itemRanges(joined, found.start, found.end));
        } else if (passage.kind === 'ocr') {
          outcome = 'ocr';
          mark = markBoxes(box, passage, viewport.width, viewport.height);
        } else outcome = 'none';
      }
      host.current?.replaceChildren(box);
      setDrawn({ page: pageNumber, scale: viewport.scale, outcome });
      if (mark) mark.scrollIntoView({ block: 'center', inline: 'nearest' });
      else scroller.current?.scrollTo({ top: 0 });
    })().catch((error: unknown) => {
      if (cancelled || (error as { name?: string }).name === 'RenderingCancelledException' || (error as { name?: string }).name === 'AbortException') return;
      onFailed(error instanceof Error ? error.message : String(error));
    });
    return () => {
      cancelled = true;
      render?.cancel();
      layer?.cancel();
    };
  }, [pdf, pageNumber, zoom, fitWidth]);

  const pages = pdf?.numPages ?? content.pages ?? 1;
  const go = (page: number) => {
    const next = Math.min(Math.max(1, page), pages);
    setPageNumber(next);
    setPageInput(String(next));
  };
  const current = drawn ? drawn.scale / CSS_UNITS : 1;
  const zoomBy = (direction: 1 | -1) => {
    const next = direction > 0 ? ZOOMS.find((z) => z > current + 0.01) : [...ZOOMS].reverse().find((z) => z < current - 0.01);
    if (next !== undefined) setZoom(next);
  };
  const outcome = drawn?.page === passage?.page ? drawn?.outcome : null;

  return (
    <div className="source-viewer pdf-viewer" aria-label={t('source.viewer')} data-testid="pdf-viewer">
      <div className="pdf-viewer__toolbar" role="toolbar" aria-label={t('source.pdf.toolbar')}>
        <IconButton size="sm" label={t('source.pdf.previous')} icon={<ChevronLeft size={15} />} disabled={pageNumber <= 1} onClick={() => go(pageNumber - 1)} />
        <form
          className="pdf-viewer__page"
          onSubmit={(event) => {
            event.preventDefault();
            const wanted = Number(pageInput);
            if (Number.isInteger(wanted)) go(wanted);
            else setPageInput(String(pageNumber));
          }}
        >
          <input
            className="pdf-viewer__page-input"
            aria-label={t('source.pdf.pageNumber')}
            inputMode="numeric"
            value={pageInput}
            onChange={(event) => setPageInput(event.target.value.replace(/\D/g, ''))}
            onBlur={() => setPageInput(String(pageNumber))}
          />
          <span className="pdf-viewer__pages">{t('source.pdf.of', { count: pages })}</span>
        </form>
        <IconButton size="sm" label={t('source.pdf.next')} icon={<ChevronRight size={15} />} disabled={pageNumber >= pages} onClick={() => go(pageNumber + 1)} />
        <span className="pdf-viewer__spacer" />
        {passage && pageNumber !== passage.page ? (
          <IconButton size="sm" label={t('source.pdf.toPassage')} icon={<Locate size={15} />} onClick={() => go(passage.page)} />
        ) : null}
        <IconButton size="sm" label={t('source.pdf.zoomOut')} icon={<ZoomOut size={15} />} disabled={current <= ZOOMS[0]! + 0.01} onClick={() => zoomBy(-1)} />
        <span className="pdf-viewer__zoom" aria-live="polite">
          {tr.percent(current)}
        </span>
        <IconButton size="sm" label={t('source.pdf.zoomIn')} icon={<ZoomIn size={15} />} disabled={current >= ZOOMS.at(-1)! - 0.01} onClick={() => zoomBy(1)} />
        <IconButton
          size="sm"
          label={t('source.pdf.fitWidth')}
          icon={<MoveHorizontal size={15} />}
          aria-pressed={zoom === 'fit'}
          className={zoom === 'fit' ? 'c-icon-button--on' : undefined}
          onClick={() => setZoom('fit')}
        />
      </div>
      {notes}
      {outcome === 'changed' && passage?.kind === 'text' ? (
        <Quoted note={t('source.pdf.changed')} text={passage.chunk.text} actions={<ReindexButton documentId={documentId} />} />
      ) : null}
      {outcome === 'elsewhere' && passage?.kind === 'text' ? <Quoted note={t('source.pdf.elsewhere')} text={passage.chunk.text} /> : null}
      {outcome === 'none' && passage?.kind === 'none' ? <Quoted note={t('source.pdf.changed')} text={passage.text} /> : null}
      {outcome === 'ocr' ? <p className="source-note">{t('source.pdf.ocr')}</p> : null}
      <div className="pdf-viewer__scroll" ref={scroller} tabIndex={0}>
        {!drawn ? (
          <div className="source-viewer--center">
            <Spinner label={t('source.pdf.loading')} size={18} />
          </div>
        ) : null}
        <div className="pdf-viewer__host" ref={host} />
      </div>
    </div>
  );
}
