// `cairn models`: the model files on this machine (list, pull, import, rm) and which one the
// library answers with (use). Runs without the engine: listing models never loads one.
import { basename, resolve } from 'node:path';
import { CairnError, type DownloadProgress, type ModelInfo, type ModelProvenance } from '../contract/index.ts';
import {
  CHAT_MODEL_SETTING,
  ChatModelSpecSchema,
  describeHardware,
  localeIsMultilingual,
  ModelManager,
  RemoteChatModel,
  type ChatModelSpec,
  type OpenAiChatModelSpec,
} from '../llm/index.ts';
import { Library } from '../store/index.ts';

export const MODELS_USAGE = `  models [list] [--json]  model files here (with the sha256 of each download), the library's chat model, and what to pull for this machine
  models pull <id|url>    download a catalog model (e.g. qwen3-4b) or any .gguf URL; Ctrl-C stops, pull again resumes
      --sha256 HEX          the hash the file must have (a catalog model's pinned one by default)
      --accept-hash         keep a download whose sha256 is not the pinned one
  models import <file>    copy a .gguf file into the models directory
  models rm <name|id>     delete a model file (or an unfinished download)
  models use <name|id|file>  answer with this GGUF model   models use --url URL --model NAME  with a chat server
      (models live in $CAIRN_MODEL_STORE, else "models" in the user data directory; a server's key from $CAIRN_CHAT_API_KEY)`;

/** The options only `cairn models` takes (parsed with the others in main.ts). */
export const modelsOptions = {
  sha256: { type: 'string' },
  'accept-hash': { type: 'boolean' },
} as const;

export interface ModelsCliValues {
  json?: boolean;
  url?: string;
  model?: string;
  sha256?: string;
  'accept-hash'?: boolean;
}

export async function runModelsCommand(dbPath: string, args: string[], values: ModelsCliValues, out: (line: string) => void = console.log): Promise<number> {
  const [action = 'list', ...rest] = args;
  const models = new ModelManager();
  switch (action) {
    case 'list':
      return list(models, dbPath, values, out);
    case 'pull': {
      const [what] = rest;
      if (!what) throw new CairnError('usage', 'cairn models pull needs a catalog id (see `cairn models list`) or a URL of a .gguf file.');
      return pull(models, what, { ...(values.sha256 === undefined ? {} : { sha256: values.sha256 }), acceptHash: values['accept-hash'] === true });
    }
    case 'import': {
      if (rest.length === 0) throw new CairnError('usage', 'cairn models import needs a .gguf file.');
      for (const file of rest) {
        const model = await models.import(file);
        out(`Imported ${model.name} (${gb(model.sizeBytes)}) into ${models.dir}.`);
        out(nextStep(model));
      }
      return 0;
    }
    case 'rm': {
      if (rest.length === 0) throw new CairnError('usage', 'cairn models rm needs a model name (as `cairn models list` shows it).');
      for (const name of rest) {
        for (const path of await models.remove(name)) out(`Deleted ${path}`);
        const spec = readChatSetting(dbPath);
        if (spec?.type === 'gguf' && basename(spec.modelPath).toLowerCase() === (models.catalog.get(name)?.file ?? name).toLowerCase()) {
          out('That was the library\'s chat model: choose another with `cairn models use`.');
        }
      }
      return 0;
    }
    case 'use':
      return use(models, dbPath, rest, values, out);
    default:
      throw new CairnError('usage', `Unknown models action: ${action} (list, pull, import, rm, use).`);
  }
}

async function list(models: ModelManager, dbPath: string, values: ModelsCliValues, out: (line: string) => void): Promise<number> {
  const [files, hardware] = await Promise.all([models.list(), describeHardware()]);
  const recommendation = models.catalog.recommend(hardware, { multilingual: localeIsMultilingual() });
  const inUse = readChatSetting(dbPath);
  if (values.json) {
    out(JSON.stringify({ dir: models.dir, models: files, chatModel: inUse ?? null, hardware, recommendation, catalog: models.catalog.models }, null, 2));
    return 0;
  }
  out(`Models in ${models.dir}:`);
  if (files.length === 0) out('  (none yet)');
  const width = Math.max(...files.map((f) => f.name.length), 10);
  for (const file of files) {
    const using = inUse?.type === 'gguf' && resolve(inUse.modelPath) === file.path ? '  ← the library answers with this' : '';
    const about = file.status === 'ready' ? `${file.role ?? '?'}${file.catalogId ? ` (${file.catalogId})` : ''}` : (file.problem ?? '');
    out(`  ${file.status.padEnd(7)}  ${file.name.padEnd(width)}  ${gb(file.sizeBytes).padStart(8)}  ${about}${using}`);
    if (file.provenance) out(`  ${' '.repeat(7)}  sha256 ${file.provenance.sha256}  ${hashCheck(file.provenance)}`);
  }
  out(`Chat model: ${describeSpec(inUse)}`);

  const ready = files.filter((f) => f.status === 'ready');
  out('');
  out(`Recommended here (${recommendation.reason})`);
  for (const pick of [recommendation.chat, recommendation.embedding]) {
    if (!pick) continue;
    const have = ready.some((f) => f.catalogId === pick.id);
    out(`  ${pick.role.padEnd(9)}  ${pick.name}, ${gb(pick.sizeBytes)}${have ? '  (downloaded)' : `  →  cairn models pull ${pick.id}`}`);
  }
  if (!ready.some((f) => f.role === 'chat') && recommendation.chat) {
    out(`No chat model yet: \`cairn models pull ${recommendation.chat.id}\`, then \`cairn models use ${recommendation.chat.id}\`.`);
  }
  out('');
  out('Catalog (cairn models pull <id>; sizes approximate):');
  const idWidth = Math.max(...models.catalog.models.map((m) => m.id.length));
  for (const m of models.catalog.models) {
    out(`  ${m.id.padEnd(idWidth)}  ${m.role.padEnd(9)}  ${gb(m.sizeBytes).padStart(7)}  ${m.license.padEnd(27)}  ${m.notes}`);
  }
  return 0;
}

async function pull(models: ModelManager, what: string, check: { sha256?: string; acceptHash: boolean }): Promise<number> {
  const controller = new AbortController();
  const line = new DownloadLine();
  const interrupt = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  try {
    const model = await models.pull(what, { ...check, signal: controller.signal, onProgress: line.draw });
    line.clear();
    if (model.alreadyPresent) console.log(`${model.name} is already in ${models.dir}.`);
    else console.log(`Downloaded ${model.name} (${gb(model.sizeBytes)}) into ${models.dir}.`);
    const provenance = model.alreadyPresent ? null : model.provenance;
    if (provenance?.check === 'accepted') {
      console.error(`Kept although its sha256 ${provenance.sha256} is not the pinned ${provenance.expectedSha256} (--accept-hash).`);
    } else if (provenance) {
      console.log(`sha256 ${provenance.sha256} (${provenance.check === 'pinned' ? 'matches the one pinned for it' : 'recorded: no sha256 was pinned for it'})`);
    }
    console.log(nextStep(model));
    return 0;
  } catch (error) {
    line.clear();
    if (error instanceof CairnError && error.code === 'download-cancelled') {
      console.error(`Stopped. \`cairn models pull ${what}\` resumes where it stopped; \`cairn models rm ${guessName(models, what)}\` deletes what was downloaded.`);
      return 130;
    }
    throw error;
  } finally {
    process.off('SIGINT', interrupt);
  }
}

async function use(models: ModelManager, dbPath: string, rest: string[], values: ModelsCliValues, out: (line: string) => void): Promise<number> {
  let spec: ChatModelSpec;
  const [what] = rest;
  if (values.url || values.model) {
    if (!values.url || !values.model) throw new CairnError('usage', 'cairn models use --url URL needs --model NAME too (the model name the server knows).');
    spec = { type: 'openai', baseUrl: values.url, model: values.model };
  } else if (!what) {
    out(`Chat model: ${describeSpec(readChatSetting(dbPath))}`);
    return 0;
  } else {
    const model = await resolveModel(models, what);
    if (model.role === 'embedding') {
      throw new CairnError('usage', `${model.name} is an embedding model, not a chat model: use it with \`cairn embedder set --gguf ${model.path}\`.`);
    }
    spec = { type: 'gguf', modelPath: model.path };
  }
  const parsed = ChatModelSpecSchema.safeParse(spec);
  if (!parsed.success) throw new CairnError('usage', `Not a valid chat model: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  if (parsed.data.type === 'openai') await checkChatServer(parsed.data);
  const library = Library.open(dbPath);
  try {
    library.settings.set(CHAT_MODEL_SETTING, parsed.data);
  } finally {
    library.close();
  }
  out(`The library now answers with ${describeSpec(parsed.data)}.`);
  return 0;
}

/**
 * One tiny request (one token), as `embedder set --url` sends one: a wrong address, model name
 * or key is said now, and nothing is saved, instead of at the first question.
 */
async function checkChatServer(spec: OpenAiChatModelSpec): Promise<void> {
  const apiKey = process.env.CAIRN_CHAT_API_KEY;
  const model = new RemoteChatModel(spec, { timeoutMs: 30_000, ...(apiKey ? { apiKey } : {}) });
  try {
    await model.generate([{ role: 'user', content: 'Say OK.' }], { maxTokens: 1, temperature: 0 });
  } catch (error) {
    if (!(error instanceof CairnError)) throw error;
    throw new CairnError(error.code, `${error.message.replace(/\.$/, '')}. The chat model was not changed.`, { cause: error });
  } finally {
    await model.close();
  }
}

/** A model by catalog id or name in the models directory, or any GGUF file by path (used where it is). */
async function resolveModel(models: ModelManager, what: string): Promise<ModelInfo> {
  const found = await models.find(what);
  if (found) return found;
  const file = await models.describe(resolve(what));
  if (file.status === 'ready') return file;
  if (file.sizeBytes > 0) throw new CairnError('model-not-gguf', `${what}: ${file.problem}`);
  const entry = models.catalog.get(what);
  if (entry) throw new CairnError('model-not-found', `${entry.name} is not downloaded yet: \`cairn models pull ${entry.id}\` first.`);
  throw new CairnError('model-not-found', `No model "${what}" in ${models.dir}, and no such file (see \`cairn models list\`).`);
}

function readChatSetting(dbPath: string): ChatModelSpec | undefined {
  const library = Library.open(dbPath);
  try {
    const parsed = ChatModelSpecSchema.safeParse(library.settings.get<unknown>(CHAT_MODEL_SETTING));
    return parsed.success ? parsed.data : undefined;
  } finally {
    library.close();
  }
}

function describeSpec(spec: ChatModelSpec | undefined): string {
  if (!spec) return 'none (questions cannot be answered until one is chosen)';
  return spec.type === 'gguf' ? `${basename(spec.modelPath)} (${spec.modelPath})` : `${spec.model} at ${spec.baseUrl}`;
}

function hashCheck(provenance: ModelProvenance): string {
  if (provenance.check === 'pinned') return 'matches the pinned one';
  if (provenance.check === 'accepted') return `accepted (the pinned one was ${provenance.expectedSha256})`;
  return 'recorded at download (nothing pinned)';
}

function nextStep(model: ModelInfo): string {
  if (model.role === 'embedding') return `Search with it: cairn embedder set --gguf ${model.path}`;
  return `Answer with it: cairn models use ${model.catalogId ?? model.name}`;
}

function guessName(models: ModelManager, what: string): string {
  const entry = models.catalog.get(what);
  if (entry) return entry.file;
  try {
    return decodeURIComponent(basename(new URL(what).pathname));
  } catch {
    return what;
  }
}

function gb(bytes: number): string {
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(bytes < 10e6 ? 1 : 0)} MB`;
  return `${(bytes / 1e9).toFixed(1)} GB`;
}

/** The download's progress line: redrawn in place on a terminal, a line every few seconds otherwise. */
class DownloadLine {
  readonly #out: NodeJS.WriteStream;
  #last = -Infinity;
  #drawn = false;

  constructor(out: NodeJS.WriteStream = process.stderr) {
    this.#out = out;
  }

  readonly draw = (p: DownloadProgress): void => {
    const now = performance.now();
    const final = p.phase === 'verifying' || p.phase === 'done';
    if (!final && now - this.#last < (this.#out.isTTY ? 100 : 5000)) return;
    this.#last = now;
    const width = 24;
    const total = p.totalBytes;
    const filled = total ? Math.round((Math.min(p.receivedBytes, total) / total) * width) : 0;
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const amount = total ? `${gb(p.receivedBytes)} of ${gb(total)}` : gb(p.receivedBytes);
    const speed = p.bytesPerSecond > 0 ? `  ${gb(p.bytesPerSecond)}/s` : '';
    const eta = p.etaSeconds !== null && p.phase === 'downloading' ? `  ${duration(p.etaSeconds)} left` : '';
    const phase = p.phase === 'downloading' ? '' : `  ${p.phase}…`;
    const line = `${bar} ${p.file}  ${amount}${speed}${eta}${phase}`;
    if (this.#out.isTTY) {
      this.#out.write(`\r\x1b[2K${line.slice(0, (this.#out.columns ?? 120) - 1)}`);
      this.#drawn = true;
    } else {
      this.#out.write(line + '\n');
    }
  };

  clear(): void {
    if (this.#drawn) this.#out.write('\r\x1b[2K');
    this.#drawn = false;
  }
}

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}
