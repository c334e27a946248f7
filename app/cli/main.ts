// The `cairn` command: the engine in-process, driven from the terminal.
import { parseArgs } from 'node:util';
import { CairnError, DocumentKind, SearchMode, type SearchFilters } from '../contract/index.ts';
import { Engine } from '../engine.ts';
import type { EmbedderSpec } from '../embed/index.ts';
import { resolveLibraryPath } from '../store/index.ts';
import { runChatCommand } from './chat.ts';
import { runDoctor } from './doctor.ts';
import { runFoldersCommand, runWatch } from './folders.ts';
import { MAIL_USAGE, mailOptions, runMailCommand } from './mail.ts';
import { MODELS_USAGE, runModelsCommand } from './models.ts';
import { runWebCommand, WEB_USAGE } from './web.ts';
import { runServeCommand } from './serve.ts';
import { formatSearch, formatStatus } from './format.ts';
import { ProgressLine } from './progress.ts';

const USAGE = `cairn — your files, searchable and answerable, on your machine

Usage: cairn [--db FILE] <command> [options]

Commands:
  add <paths...>          index files and folders (again: only what changed)
  search "<query>"        search the library
      --k N                 results (default 10)
      --mode M              bm25 | vector | hybrid (default hybrid)
      --json                machine-readable output
      --source ID  --kind file|email|web  --path PREFIX
      --from TEXT  --to TEXT  --after DATE  --before DATE  --folder NAME (mail)
  status [--json]         documents by status, problems with reasons, vectors
  remove <path>           take a file or folder out of the library
  index                   finish queued work (after an interruption or a model change)
  embedder                show the embedding model
  embedder set --gguf FILE | --url URL --model NAME [--dimensions N]
  embedder off            keyword search only
  ask "<question>"        answer from the library, citing sources (filters as for search)
      --conversation ID     continue a conversation      --plain  no library, plain chat
      --json                the stored answer as JSON
      --web                 also search the web for this question (see: web)
  chat [--conversation ID] talk in the terminal (/new, /list, /open ID, /quit; Ctrl-C stops an answer)
  conversations [list]    past conversations; also: show ID, rename ID "title", rm ID, export ID (Markdown)
  serve                   the Cairn window in your browser, on 127.0.0.1 (prints the address to open)
      --api                 also the OpenAI-compatible local API (prints its URL and token)
      --port N              port (default 22476; 0 picks a free one)   --token T  use this API token
${MAIL_USAGE}
  folders add <path>      watch a folder and index it  --include GLOB ...  --exclude GLOB ...
  folders [list] [--json] watched folders with their state;  folders remove <path>
  watch                   catch up with changes made meanwhile, then index changes as they happen (Ctrl-C stops)
  doctor                  check Node.js, SQLite, sqlite-vec, llama.cpp and the GPU
${MODELS_USAGE}
${WEB_USAGE}

The library is --db, else $CAIRN_DB, else the user data directory.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
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
      conversation: { type: 'string' },
      plain: { type: 'boolean' },
      include: { type: 'string', multiple: true },
      exclude: { type: 'string', multiple: true },
      web: { type: 'boolean' },
      api: { type: 'boolean' },
      port: { type: 'string' },
      token: { type: 'string' },
      host: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...mailOptions,
    },
  });
  const [command, ...args] = positionals;
  if (!command || values.help || command === 'help') {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  if (command === 'doctor') {
    const checks = await runDoctor();
    for (const c of checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(12)} ${c.detail}`);
    return checks.every((c) => c.ok) ? 0 : 1;
  }
  // Without the engine: listing or fetching models must not load the embedding model.
  if (command === 'models') return runModelsCommand(resolveLibraryPath(values.db), args, values);
  // Web mode runs the engine as a service (events, background work, watched sources); own SIGINT/SIGTERM handling.
  if (command === 'serve') return runServeCommand(resolveLibraryPath(values.db), args, values);

  const progress = new ProgressLine();
  const engine = await Engine.open({ dbPath: resolveLibraryPath(values.db), onEvent: progress.onEvent });
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
        for (const m of missing) console.error(`not found  ${m}`);
        return (await runIndex(engine, progress, controller.signal)) && missing.length === 0 ? 0 : 1;
      }
      case 'index':
        return (await runIndex(engine, progress, controller.signal)) ? 0 : 1;
      case 'search': {
        const query = args.join(' ');
        const mode = choice(SearchMode, values.mode ?? 'hybrid', '--mode');
        const filters: SearchFilters = {
          ...(values.source ? { sourceIds: values.source.map(Number) } : {}),
          ...(values.kind ? { kinds: values.kind.map((k) => choice(DocumentKind, k, '--kind')) } : {}),
          ...(values.path ? { pathPrefix: values.path } : {}),
          ...(values.from ? { from: values.from } : {}),
          ...(values.to ? { to: values.to } : {}),
          ...(values.folder?.length ? { folder: values.folder[0] } : {}),
          ...(values.after ? { dateFrom: values.after } : {}),
          ...(values.before ? { dateTo: values.before } : {}),
        };
        const response = await engine.search({ query, k: values.k ? Number(values.k) : 10, mode, filters });
        console.log(values.json ? JSON.stringify(response, null, 2) : formatSearch(response, process.stdout.isTTY));
        return 0;
      }
      case 'status': {
        const status = engine.status();
        console.log(values.json ? JSON.stringify(status, null, 2) : formatStatus(status));
        return 0;
      }
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
      default:
        console.error(`Unknown command: ${command}\n\n${USAGE}`);
        return 2;
    }
  } finally {
    process.off('SIGINT', interrupt);
    await engine.close();
  }
}

/** A value from a fixed set, or a usage error that lists the set. */
function choice<T extends string>(schema: { options: readonly T[] }, value: string, flag: string): T {
  if ((schema.options as readonly string[]).includes(value)) return value as T;
  throw new CairnError('usage', `${flag} must be one of ${schema.options.join(', ')} (got "${value}").`);
}

async function runIndex(engine: Engine, progress: ProgressLine, signal: AbortSignal): Promise<boolean> {
  const summary = await engine.index(signal);
  progress.clear();
  const rate = summary.seconds > 0 ? ` (${(summary.chunks / summary.seconds).toFixed(0)} chunks/s)` : '';
  console.error(`${summary.filesDone} files, ${summary.chunks} chunks in ${summary.seconds.toFixed(1)} s${rate}; ${summary.errors} problems${summary.errors ? ' (see `cairn status`)' : ''}.`);
  return !signal.aborted;
}

async function embedderCommand(
  engine: Engine,
  args: string[],
  values: { gguf?: string; url?: string; model?: string; dimensions?: string },
  progress: ProgressLine,
  signal: AbortSignal,
): Promise<number> {
  const [action = 'show'] = args;
  if (action === 'show') {
    const status = engine.status();
    console.log(`Embedder: ${status.embedder ?? 'none (keyword search only)'}`);
    for (const m of status.embeddingModels) console.log(`Vectors:  ${m.key} (${m.dimensions}-d, ${m.state}): ${m.vectors} of ${status.chunks} chunks`);
    return 0;
  }
  if (action === 'off') {
    await engine.setEmbedder(null);
    console.log('Keyword search only. Existing vectors are kept.');
    return 0;
  }
  if (action !== 'set') throw new CairnError('usage', `Unknown embedder action: ${action}`);
  let spec: EmbedderSpec;
  if (values.gguf) spec = { type: 'gguf', modelPath: values.gguf };
  else if (values.url && values.model) spec = { type: 'openai', baseUrl: values.url, model: values.model, ...(values.dimensions ? { dimensions: Number(values.dimensions) } : {}) };
  else throw new CairnError('usage', 'cairn embedder set needs --gguf FILE, or --url URL and --model NAME.');
  await engine.setEmbedder(spec);
  console.error('Embedding the library with the new model (search keeps the old vectors until it is done)…');
  return (await runIndex(engine, progress, signal)) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof CairnError) console.error(`cairn: ${error.message}`);
    else if (error instanceof Error && 'code' in error && error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') console.error(`cairn: ${error.message}`);
    else console.error(error);
    process.exitCode = error instanceof CairnError && error.code === 'usage' ? 2 : 1;
  },
);
