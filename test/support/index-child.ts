// A child process indexing a library (test/index/index-child.ts) for tests about several
// processes sharing one library: its output lines, a pause the parent ends with resume(), and
// what it did once it exits.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';

const script = join(import.meta.dirname, '..', 'index', 'index-child.ts');

export interface ChildSummary {
  filesDone: number;
  chunks: number;
  dropped: number;
  embedded: number;
}

/**
 * A child running `add <dir>` or `index` with a slow embedder, pausing at its `pauseAfter`th
 * embedding call until resume(); `exited` resolves with its summary.
 */
export class IndexChild {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; summary: ChildSummary | null; stderr: string }>;
  readonly #child: ChildProcessWithoutNullStreams;
  #waiters: (() => void)[] = [];

  constructor(db: string, command: 'add' | 'index', options: { delayMs: number; pauseAfter?: number; dir?: string }) {
    const args = [script, db, command, String(options.delayMs), String(options.pauseAfter ?? 0), options.dir ?? ''];
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child = child;
    let stderr = '';
    let buffered = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      buffered += d;
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      this.lines.push(...parts);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.exited = new Promise((resolvePromise) => child.on('exit', (code) => {
      const done = this.lines.find((l) => l.startsWith('done '));
      resolvePromise({ code, summary: done ? (JSON.parse(done.slice(5)) as ChildSummary) : null, stderr });
      for (const wake of this.#waiters.splice(0)) wake();
    }));
  }

  resume(): void {
    this.#child.stdin.write('\n');
  }

  kill(): void {
    this.#child.kill('SIGKILL');
  }

  /** Waits for a line that satisfies `check` (fails if the child exits first). */
  async until(what: string, check: () => boolean): Promise<void> {
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (!check()) {
      if (exited) throw new Error(`the child exited before ${what}: ${this.lines.join(' | ')}`);
      await new Promise<void>((r) => this.#waiters.push(r));
    }
  }
}

