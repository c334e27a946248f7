// The `cairn` command: the engine in-process, driven from the terminal.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { getSystemErrorMessage } from 'node:util';
import { CairnError, SearchMode, type LibraryStatus, type SearchFilters } from '../contract/index.ts';
import { Engine } from '../engine.ts';
import type { EmbedderSpec } from '../embed/index.ts';
import { resolveLibraryPath } from '../store/index.ts';
import { filtersFromOptions } from './ask.ts';
import { runChatCommand } from './chat.ts';
import { repair, runDoctor } from './doctor.ts';
import { runFoldersCommand, runWatch } from './folders.ts';
import { MAIL_USAGE, mailOptions, runMailCommand } from './mail.ts';
import { MODELS_USAGE, modelsOptions, runModelsCommand } from './models.ts';
import { choice, idOption, nonNegativeInteger, parseCommandLine, positiveInteger } from './options.ts';
import { runWebCommand, WEB_USAGE } from './web.ts';
import { runMcpCommand } from './mcp.ts';
import { runServeCommand } from './serve.ts';
import { OCR_USAGE, runOcrCommand } from './ocr.ts';
import { count, formatReembed, formatSearch, formatStatus } from './format.ts';
import { ProgressLine, upgradeNotice } from './progress.ts';
import { terminalLine, terminalText } from './terminal-text.ts';

/** The project folder (where package.json is). */
const PROJECT = resolve(import.meta.dirname, '..', '..');

const USAGE = `cairn — your files, searchable and answerable, on your machine

Usage: cairn [--db FILE] <command> [options]      cairn --version

Commands:
  add <paths...>          index files and folders (again: only what changed)
  search "<query>"        search the library
      --k N                 results (default 10)
      --mode M              bm25 | vector | hybrid (default hybrid)
      --json                machine-readable output
      --source ID  --kind file|email|web  --path PREFIX
      --from TEXT  --to TEXT  --after DATE  --before DATE  --folder NAME (mail)
  status                  documents by status, the first problems with reasons, vectors
      --problems            every problem
      --json                all of it as JSON (every problem; --limit N --offset N for a page)
  remove <path>           take a file or folder out of the library
  index                   finish queued work (after an interruption or a model change)
  embedder                show the embedding model
  embedder set --gguf FILE | --url URL --model NAME [--dimensions N]
                          switch models; the library's vectors are remade by \`index\`, \`watch\` or the app
      --wait                make them now, with progress (Ctrl-C stops; \`index\` resumes)
      --query-prefix TEXT --document-prefix TEXT   what the model wants before queries and documents
                            (a catalog model's are known; '' for none)
  embedder off            keyword search only
  ask "<question>"        answer from the library, citing sources (filters as for search)
      --conversation ID     continue a conversation      --plain  no library, plain chat
      --json                the stored answer as JSON
      --web                 also search the web for this question (see: web)
  chat [--conversation ID] talk in the terminal (/new, /list, /open ID, /quit; Ctrl-C stops an answer)
  conversations [list]    past conversations; also: show ID, rename ID "title", rm ID, export ID (Markdown)
  serve                   the Cairn window in your browser, on 127.0.0.1 (prints the address to open)
      --api                 also the OpenAI-compatible local API and MCP at /mcp (prints the URL and token)
      --port N              port (default 22476; 0 picks a free one)   --token T  use this API token
      --host ADDR --allow-host NAME...  also listen on ADDR for containers (API and MCP only, token needed)
      --allow-origin ORIGIN...          let pages on ORIGIN call the API and MCP (CORS)
  mcp                     the library as an MCP server on stdio (for Claude Desktop, Cursor, VS Code)
${MAIL_USAGE}
  folders add <path>      watch a folder and index it  --include GLOB ...  --exclude GLOB ...
  folders [list] [--json] watched folders with their state;  folders remove <path>
  watch                   catch up with changes made meanwhile, then index changes as they happen (Ctrl-C stops)
  doctor                  check Node.js, SQLite, sqlite-vec, llama.cpp, the GPU and the library file
      --repair              recover a damaged library into a new file (the damaged one is kept)
${OCR_USAGE}
${MODELS_USAGE}
${WEB_USAGE}

The library is --db, else $CAIRN_DB, else the user data directory. Mistakes in the command
exit with 2, other failures with 1; CAIRN_DEBUG=1 shows where an unexpected error happened.`;

/** Problems `cairn status` shows before "…and N more". */
const SHOWN_PROBLEMS = 20;
/** Problems read at a time when all are listed. */
const PROBLEMS_PAGE = 1000;

const COMMANDS = new Set(['add', 'index', 'search', 'status', 'remove', 'mail', 'folders', 'watch', 'embedder', 'web', 'ask', 'chat', 'conversations', 'serve', 'mcp', 'doctor', 'models', 'ocr']);

const OPTIONS = {
  db: { type: 'string' },
  k: { type: 'string' },
  mode: { type: 'string' },
  json: { type: 'boolean' },
  source: { type: 'string', multiple: true },
  kind: { type: 'string', multiple: true },
  path: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  after: { type: 'string' },
  before: { type: 'string' },
  gguf: { type: 'string' },
  url: { type: 'string' },
  model: { type: 'string' },
  dimensions: { type: 'string' },
  'query-prefix': { type: 'string' },
  'document-prefix': { type: 'string' },
  conversation: { type: 'string' },
  plain: { type: 'boolean' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  web: { type: 'boolean' },
  api: { type: 'boolean' },
  port: { type: 'string' },
  token: { type: 'string' },
  host: { type: 'string' },
  'allow-host': { type: 'string', multiple: true },
  'allow-origin': { type: 'string', multiple: true },
  problems: { type: 'boolean' },
  limit: { type: 'string' },
  offset: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  repair: { type: 'boolean' },
  wait: { type: 'boolean' },
  ...mailOptions,
  ...modelsOptions,
} as const;

type Values = ReturnType<typeof parseCommandLine<{ args: string[]; allowPositionals: true; options: typeof OPTIONS }>>['values'];

async function main(argv: string[]): Promise<number> {
  enterUsersFolder();
  const { values, positionals } = parseCommandLine({ args: argv, allowPositionals: true, options: OPTIONS });
  const [command, ...args] = positionals;
  if (values.version) {
    const { version } = JSON.parse(readFileSync(resolve(PROJECT, 'package.json'), 'utf8')) as { version: string };
    console.log(`cairn ${version} (Node.js ${process.versions.node})`);
    return 0;
  }
  if (!command || values.help || command === 'help') {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  if (!COMMANDS.has(command)) throw new CairnError('usage', `Unknown command: ${command}. \`cairn --help\` lists the commands.`);
  if (command === 'doctor') {
    if (values.repair) {
      for (const line of repair(resolveLibraryPath(values.db))) console.log(line);
      return 0;
    }
    const checks = await runDoctor(resolveLibraryPath(values.db));
    for (const c of checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(12)} ${c.detail}`);
    return checks.every((c) => c.ok) ? 0 : 1;
  }
  return run(resolveLibraryPath(values.db), command, args, values);
}

async function run(dbPath: string, command: string, args: string[], values: Values): Promise<number> {
  // Without the engine: listing or fetching models must not load the embedding model.
  if (command === 'models') return runModelsCommand(dbPath, args, values, values.json ? console.log : (line) => console.log(terminalLine(line)));
  // Web mode runs the engine as a service (events, background work, watched sources); own SIGINT/SIGTERM handling.
  if (command === 'serve') return runServeCommand(dbPath, args, values);
  // stdout is the MCP protocol: no progress lines, own lifecycle.
  if (command === 'mcp') return runMcpCommand(dbPath, args);

  const progress = new ProgressLine();
  // How other processes see this one (e.g. naming the watcher when a second one is refused).
  const description = ['cairn', command, ...(command === 'mail' || command === 'folders' ? args.slice(0, 1) : []), ...(values.watch ? ['--watch'] : [])].join(' ');
  const engine = await Engine.open({ dbPath, onEvent: progress.onEvent, onUpgrade: upgradeNotice, description });
  if (command === 'ask' || command === 'chat' || command === 'conversations') {
    // Own Ctrl-C handling: the first stops the answer, a second exits.
    return await runChatCommand(engine, command, args, values).finally(() => engine.close());
  }
  const controller = new AbortController();
  const interrupt = () => {
    if (controller.signal.aborted) process.exit(130);
    progress.clear();
    console.error('\nStopping after the current batch… (queued work resumes with `cairn index`; Ctrl-C again to quit now)');
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  try {
    switch (command) {
      case 'add': {
        if (args.length === 0) throw new CairnError('usage', 'cairn add needs at least one file or folder.');
        const { missing } = engine.add(args);
        for (const m of missing) console.error(`not found  ${terminalLine(resolve(m))}`);
        return (await runIndex(engine, progress, controller.signal)) && missing.length === 0 ? 0 : 1;
      }
      case 'index':
        return (await runIndex(engine, progress, controller.signal)) ? 0 : 1;
      case 'search': {
        const query = args.join(' ').trim();
        if (!query) throw new CairnError('usage', 'cairn search needs a query, e.g. cairn search "termination clause".');
        const mode = choice(SearchMode, values.mode ?? 'hybrid', '--mode');
        const k = values.k ? positiveInteger(values.k, '--k', 1000) : 10;
        const filters: SearchFilters = {
          ...(values.source ? { sourceIds: values.source.map((s) => idOption(s, '--source', 'a source')) } : {}),
          ...filtersFromOptions(values),
        };
        const response = await engine.search({ query, k, mode, filters });
        console.log(values.json ? JSON.stringify(response, null, 2) : formatSearch(response, process.stdout.isTTY));
        return 0;
      }
      case 'status':
        return statusCommand(engine, values);
      case 'remove': {
        if (args.length === 0) throw new CairnError('usage', 'cairn remove needs a file or folder.');
        for (const path of args) console.log(`removed ${engine.remove(path)} document(s) under ${path}`);
        return 0;
      }
      case 'mail':
        return await runMailCommand(engine, args, values, controller.signal);
      case 'folders':
        return await runFoldersCommand(engine, args, values, controller.signal);
      case 'watch':
        return await runWatch(engine, controller.signal);
      case 'embedder':
        return await embedderCommand(engine, args, values, progress, controller.signal);
      case 'web':
        return await runWebCommand(engine, args, values);
      case 'ocr':
        return runOcrCommand(engine, args);
      default:
        throw new CairnError('usage', `Unknown command: ${command}`);
    }
  } finally {
    process.off('SIGINT', interrupt);
    await engine.close();
  }
}

/**
 * `npm run cairn -- add notes/x.md` runs in the project folder, not where the user typed it; npm
 * says where that was in INIT_CWD. Relative paths (files, --db) are the user's, so go there.
 */
function enterUsersFolder(): void {
  const typedIn = process.env.INIT_CWD;
  if (!typedIn || process.cwd() !== PROJECT) return;
  try {
    process.chdir(typedIn);
  } catch {
    // Gone since: relative paths stay the project's, and "not found" says where they were looked for.
  }
}

/** `cairn status`: the first problems (all with --problems); --json: everything, or a page with --limit and --offset. */
function statusCommand(engine: Engine, values: Values): number {
  const offset = values.offset === undefined ? 0 : nonNegativeInteger(values.offset, '--offset');
  const limit = values.limit === undefined ? undefined : positiveInteger(values.limit, '--limit', 10_000);
  if (values.json) {
    const status = limit === undefined && offset === 0 ? withAllProblems(engine) : engine.status({ offset, ...(limit ? { limit } : {}) });
    console.log(JSON.stringify(status, null, 2));
  } else {
    console.log(formatStatus(values.problems ? withAllProblems(engine) : engine.status({ limit: SHOWN_PROBLEMS })));
  }
  return 0;
}

/** The status with every problem, read a page at a time. */
function withAllProblems(engine: Engine): LibraryStatus {
  const status = engine.status({ limit: PROBLEMS_PAGE });
  const problems = [...status.problems];
  for (let next = status.problemsNext; next !== null; ) {
    const page = engine.problems({ offset: next, limit: PROBLEMS_PAGE });
    problems.push(...page.problems);
    next = page.problemsNext;
  }
  return { ...status, problems, problemCount: Math.max(status.problemCount, problems.length), problemsNext: null };
}

/** Runs the queued work with the progress line; then says how far embedding with a new model is, when it is not done. */
async function runIndex(engine: Engine, progress: ProgressLine, signal: AbortSignal): Promise<boolean> {
  const embedding = engine.reembedStatus();
  const summary = await engine.index(signal).finally(() => progress.clear());
  const rate = summary.seconds > 0 ? ` (${(summary.chunks / summary.seconds).toFixed(0)} chunks/s)` : '';
  const dropped = summary.dropped ? `; ${summary.dropped} dropped (removed from the library meanwhile)` : '';
  console.error(`${summary.filesDone} files, ${summary.chunks} chunks in ${summary.seconds.toFixed(1)} s${rate}; ${summary.errors} problems${summary.errors ? ' (see `cairn status`)' : ''}${dropped}.`);
  const left = engine.reembedStatus();
  if (left) console.error(formatReembed(left));
  else if (embedding) console.error(`Every chunk has its vector from ${terminalLine(embedding.model)}${embedding.replacing ? '; search uses it now' : ''}.`);
  return !signal.aborted;
}

async function embedderCommand(
  engine: Engine,
  args: string[],
  values: { gguf?: string; url?: string; model?: string; dimensions?: string; 'query-prefix'?: string; 'document-prefix'?: string; wait?: boolean },
  progress: ProgressLine,
  signal: AbortSignal,
): Promise<number> {
  const [action = 'show'] = args;
  if (action === 'show') {
    const status = engine.status();
    console.log(`Embedder: ${status.embedder ? terminalLine(status.embedder) : 'none (keyword search only)'}`);
    printPrefixes(engine);
    for (const m of status.embeddingModels) console.log(`Vectors:  ${terminalLine(m.key)} (${m.dimensions}-d, ${m.state}): ${m.vectors} of ${status.chunks} chunks`);
    if (status.reembed) console.log(`Working:  ${formatReembed(status.reembed)}`);
    return 0;
  }
  if (action === 'off') {
    await engine.setEmbedder(null);
    console.log('Keyword search only. Existing vectors are kept.');
    return 0;
  }
  if (action !== 'set') throw new CairnError('usage', `Unknown embedder action: ${action}`);
  // Only the prefixes given: a catalog model's fill in the others.
  const prefixes = {
    ...(values['query-prefix'] === undefined ? {} : { queryPrefix: values['query-prefix'] }),
    ...(values['document-prefix'] === undefined ? {} : { documentPrefix: values['document-prefix'] }),
  };
  let spec: EmbedderSpec;
  if (values.gguf) spec = { type: 'gguf', modelPath: values.gguf, ...prefixes };
  else if (values.url && values.model) spec = { type: 'openai', baseUrl: values.url, model: values.model, ...(values.dimensions ? { dimensions: positiveInteger(values.dimensions, '--dimensions', 65_536) } : {}), ...prefixes };
  else throw new CairnError('usage', 'cairn embedder set needs --gguf FILE, or --url URL and --model NAME.');
  await engine.setEmbedder(spec);
  const reembed = engine.reembedStatus();
  const current = engine.currentEmbedder();
  console.log(`Embedder: ${'key' in current ? terminalLine(current.key) : ''}`);
  printPrefixes(engine);
  if (!reembed) return 0;
  const meanwhile = reembed.replacing ? 'search keeps the previous vectors until then' : 'search is by keywords until then';
  if (values.wait) {
    console.error(`Making the vectors of ${count(reembed.total - reembed.done)} chunks (${meanwhile}; Ctrl-C stops, \`cairn index\` resumes)…`);
    return (await runIndex(engine, progress, signal)) ? 0 : 1;
  }
  console.error(
    `${count(reembed.total - reembed.done)} chunks need vectors from it (${meanwhile}). \`cairn index\` makes them (or \`embedder set … --wait\`); ` +
      '`cairn watch`, `cairn mail sync` and the app continue them too. `cairn status` shows how far it is.',
  );
  return 0;
}

/** The embedder's prefixes, when it has any (quoted: their spaces matter). */
function printPrefixes(engine: Engine): void {
  const current = engine.currentEmbedder();
  if (!('prefixes' in current) || (current.prefixes.query === '' && current.prefixes.document === '')) return;
  console.log(`Prefixes: query ${terminalLine(JSON.stringify(current.prefixes.query))}, documents ${terminalLine(JSON.stringify(current.prefixes.document))}`);
}

/** Codes of errors that are the user's mistake in the command line: exit 2. */
const USAGE_ERRORS = new Set(['usage', 'bad-request']);

/** A failure from the operating system (a file, a folder, a socket), with its errno code. */
function systemError(error: unknown): (Error & { errno: number; syscall: string; path?: string }) | null {
  return error instanceof Error && typeof (error as { errno?: unknown }).errno === 'number' && typeof (error as { syscall?: unknown }).syscall === 'string'
    ? (error as Error & { errno: number; syscall: string; path?: string })
    : null;
}

/**
 * One line on what went wrong, on stderr; the exit code: 2 for a mistake in the command line, 1
 * for anything else. Stack traces only with CAIRN_DEBUG=1: expected failures have none to show.
 */
function reportError(error: unknown): number {
  const system = systemError(error);
  if (error instanceof CairnError) console.error(`cairn: ${terminalText(error.message)}`);
  else if (system) console.error(`cairn: ${system.syscall} ${terminalLine(system.path ?? '')}: ${getSystemErrorMessage(system.errno)}`);
  else console.error(`cairn: unexpected error: ${terminalText(error instanceof Error ? error.message : String(error))} (CAIRN_DEBUG=1 shows where it happened)`);
  if (process.env.CAIRN_DEBUG) console.error(error);
  return error instanceof CairnError && USAGE_ERRORS.has(error.code) ? 2 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = reportError(error);
  },
);
