// The progress line for `cairn add` and `cairn index`: redrawn in place on a terminal, a line
// every few seconds otherwise (logs, CI).
import type { EngineEvent, IngestProgress } from '../contract/index.ts';
import { terminalLine } from './terminal-text.ts';

export class ProgressLine {
  private readonly out: NodeJS.WriteStream;
  private last = 0;
  private drawn = false;

  constructor(out: NodeJS.WriteStream = process.stderr) {
    this.out = out;
  }

  readonly onEvent = (event: EngineEvent): void => {
    if (event.type === 'document-issue') {
      this.clear();
      this.out.write(`${event.status === 'failed' ? 'failed ' : 'skipped'}  ${terminalLine(event.uri)}: ${terminalLine(event.reason)}\n`);
      return;
    }
    if (event.type === 'progress') this.draw(event);
  };

  private draw(p: IngestProgress): void {
    const now = performance.now();
    const interval = this.out.isTTY ? 100 : 5000;
    if (now - this.last < interval) return;
    this.last = now;
    const total = Math.max(p.filesTotal, p.filesDone);
    const width = 24;
    const filled = total ? Math.round((p.filesDone / total) * width) : 0;
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const file = p.currentFile ? `  ${shorten(terminalLine(p.currentFile), 40)}` : '';
    const ocr = p.ocrPagesTotal ? `  OCR ${p.ocrPagesDone ?? 0}/${p.ocrPagesTotal} pages` : '';
    const line = `${bar} ${p.filesDone}/${total} files  ${p.chunks} chunks  ${p.chunksPerSecond.toFixed(0)}/s  ${p.errors} problems${ocr}${file}`;
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${line.slice(0, (this.out.columns ?? 120) - 1)}`);
      this.drawn = true;
    } else {
      this.out.write(line + '\n');
    }
  }

  clear(): void {
    if (this.drawn) this.out.write('\r\x1b[2K');
    this.drawn = false;
  }
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : '…' + text.slice(text.length - max + 1);
}
