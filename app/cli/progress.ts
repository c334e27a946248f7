// The progress line for `cairn add`, `cairn index` and `cairn embedder set --wait`: files read,
// then vectors made with a new embedding model (chunks done of all, rate, time left). Redrawn in
// place on a terminal; otherwise (logs, CI) the first line at once, then one every few seconds.
import type { EngineEvent, IngestProgress, ReembedProgress } from '../contract/index.ts';
import { count } from './format.ts';
import { terminalLine } from './terminal-text.ts';

const BAR_WIDTH = 24;

export class ProgressLine {
  private readonly out: NodeJS.WriteStream;
  private last = -Infinity;
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
    if (event.type === 'progress') this.draw(filesLine(event));
    if (event.type === 'reembed-progress') this.draw(reembedLine(event), event.done === event.total);
  };

  private draw(line: string, force = false): void {
    const now = performance.now();
    const interval = this.out.isTTY ? 100 : 5000;
    if (!force && now - this.last < interval) return;
    this.last = now;
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

function filesLine(p: IngestProgress): string {
  const total = Math.max(p.filesTotal, p.filesDone);
  const file = p.currentFile ? `  ${shorten(terminalLine(p.currentFile), 40)}` : '';
  const ocr = p.ocrPagesTotal ? `  OCR ${p.ocrPagesDone ?? 0}/${p.ocrPagesTotal} pages` : '';
  return `${bar(p.filesDone, total)} ${p.filesDone}/${total} files  ${p.chunks} chunks  ${p.chunksPerSecond.toFixed(0)}/s  ${p.errors} problems${ocr}${file}`;
}

/** "████░░ embedding 1,216/3,236 chunks  42/s  about 48 s left  (gguf:bge-small…)" */
function reembedLine(p: ReembedProgress): string {
  const rate = p.chunksPerSecond > 0 ? `  ${p.chunksPerSecond.toFixed(p.chunksPerSecond < 10 ? 1 : 0)}/s` : '';
  const left = p.secondsLeft === null ? '' : p.secondsLeft === 0 ? '  done' : `  about ${duration(p.secondsLeft)} left`;
  return `${bar(p.done, p.total)} embedding ${count(p.done)}/${count(p.total)} chunks${rate}${left}  (${shorten(terminalLine(p.model), 48)})`;
}

function bar(done: number, total: number): string {
  const filled = total ? Math.round((Math.min(done, total) / total) * BAR_WIDTH) : 0;
  return '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
}

/** 48 → "48 s", 750 → "13 min", 5000 → "1 h 23 min". */
/** What a command prints (to stderr) before the library it opened is upgraded. */
export function upgradeNotice(from: number, to: number): void {
  console.error(`Upgrading the library to this version's format (${from} → ${to}), once; a large library takes a few minutes…`);
}

export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : '…' + text.slice(text.length - max + 1);
}
