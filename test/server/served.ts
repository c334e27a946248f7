// `cairn serve` as a user runs it, in a child process: started with the options given, ready
// once it has printed its URL and token.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const main = resolve(import.meta.dirname, '..', '..', 'app', 'cli', 'main.ts');

export interface Served {
  child: ChildProcess;
  url: string;
  token: string;
  stderr: () => string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
}

/** Starts `cairn serve --api` and waits for the URL and token it prints. */
export async function serve(db: string, extra: string[] = []): Promise<Served> {
  const child = spawn(process.execPath, [main, '--db', db, 'serve', '--api', '--port', '0', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | string>((done) => child.on('exit', (code, signal) => done(code ?? signal ?? 'unknown')));
  const printed = await new Promise<{ url: string; token: string }>((done, fail) => {
    // Ready once the URL and token are on stdout and the notes on stderr end with how to stop.
    const check = () => {
      const url = /^Cairn local API: (\S+)$/m.exec(stdout)?.[1];
      const token = /^API token: (\S+)$/m.exec(stdout)?.[1];
      if (url && token && stderr.includes('Ctrl-C stops the server')) done({ url, token });
    };
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      check();
    });
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
      check();
    });
    void exited.then((code) => fail(new Error(`cairn serve exited (${code}) before printing its URL:\n${stdout}\n${stderr}`)));
  });
  return { child, ...printed, stderr: () => stderr, exited };
}

