// The models directory: GGUF files that Cairn downloaded or imported, shared by all libraries.
// Unfinished downloads live in its ".partial" folder, so a file directly in the directory has
// always been checked whole (or was put there by hand, and is checked when listed).
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { CairnError, type DownloadProgress, type ModelInfo } from '../contract/index.ts';
import { defaultDataDir } from '../store/location.ts';
import { loadCatalog, type ModelCatalog } from './catalog.ts';
import { downloadGguf, PART_SUFFIX, readPartInfo } from './download.ts';
import { checkGgufFile } from './gguf-file.ts';

export interface ModelManagerOptions {
  /** Default: $CAIRN_MODEL_STORE, else `models` in the user data directory. */
  dir?: string;
  catalog?: ModelCatalog;
  /** A download that receives nothing for this long is stopped (resumable). Default 60 s. */
  stallTimeoutMs?: number;
  /** Waits before each automatic resume of a dropped download (see DownloadRequest). */
  retryDelaysMs?: number[];
}

export interface PullOptions {
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** Extra request headers, e.g. an Authorization for gated Hugging Face repositories. */
  headers?: Record<string, string>;
}

const PARTIAL_DIR = '.partial';

/** Where models are kept when no directory is given (CAIRN_MODEL_STORE overrides it). */
export function defaultModelsDir(): string {
  return process.env.CAIRN_MODEL_STORE || join(defaultDataDir(), 'models');
}

export class ModelManager {
  readonly dir: string;
  readonly catalog: ModelCatalog;
  readonly #stallTimeoutMs: number | undefined;
  readonly #retryDelaysMs: number[] | undefined;

  constructor(options: ModelManagerOptions = {}) {
    this.dir = resolve(options.dir ?? defaultModelsDir());
    this.catalog = options.catalog ?? loadCatalog();
    this.#stallTimeoutMs = options.stallTimeoutMs;
    this.#retryDelaysMs = options.retryDelaysMs;
  }

  get partialDir(): string {
    return join(this.dir, PARTIAL_DIR);
  }

  /** Every model file, ready or not, by name; unfinished downloads as 'partial'. */
  async list(): Promise<ModelInfo[]> {
    const models: ModelInfo[] = [];
    for (const name of await filesIn(this.dir)) {
      if (!name.toLowerCase().endsWith('.gguf')) continue;
      models.push(await this.describe(join(this.dir, name)));
    }
    for (const name of await filesIn(this.partialDir)) {
      // The bytes of an unfinished download, or a whole one not yet moved (a crash between the two).
      const finalName = name.endsWith(PART_SUFFIX) ? name.slice(0, -PART_SUFFIX.length) : name;
      if (!finalName.toLowerCase().endsWith('.gguf') || models.some((m) => m.name === finalName)) continue;
      const path = join(this.partialDir, name);
      const info = await stat(path);
      const entry = this.catalog.byFile(finalName);
      const total = (await readPartInfo(`${path}.json`))?.totalBytes;
      models.push({
        name: finalName,
        path,
        sizeBytes: info.size,
        status: 'partial',
        problem: `an unfinished download${total ? ` (${Math.floor((100 * info.size) / total)}% of ${total} bytes)` : ''}: pull it again to resume`,
        catalogId: entry?.id ?? null,
        role: entry?.role ?? null,
        architecture: null,
        modifiedAt: info.mtimeMs,
      });
    }
    return models.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** A ready model by file name or catalog id. */
  async find(nameOrId: string): Promise<ModelInfo | undefined> {
    const fileName = this.catalog.get(nameOrId)?.file ?? nameOrId;
    const models = await this.list();
    const lower = fileName.toLowerCase();
    return models.find((m) => m.status === 'ready' && m.name.toLowerCase() === lower);
  }

  /** Copies a GGUF file into the directory after checking that it is a whole GGUF model. */
  async import(file: string): Promise<ModelInfo> {
    const source = resolve(file);
    const name = basename(source);
    if (!name.toLowerCase().endsWith('.gguf')) throw new CairnError('model-not-gguf', `${file} is not a .gguf file`);
    const check = await checkGgufFile(source);
    if (!check.ok) throw new CairnError(check.sizeBytes === 0 && check.problem.startsWith('cannot') ? 'model-missing' : 'model-not-gguf', `${file}: ${check.problem}`);
    const target = join(this.dir, name);
    if (await exists(target)) throw new CairnError('model-exists', `A model named ${name} is already in ${this.dir} (remove it first with \`cairn models rm ${name}\`)`);
    // Copied beside the directory's other unfinished files, then renamed: a copy cut short is never listed as ready.
    await mkdir(this.partialDir, { recursive: true });
    const temporary = join(this.partialDir, `${name}.import`);
    try {
      await copyFile(source, temporary);
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw new CairnError('model-import-failed', `Cannot copy ${file} into ${this.dir}: ${(error as Error).message}`, { cause: error });
    }
    return this.describe(target);
  }

  /** Deletes a model (by file name or catalog id), and any unfinished download of it. */
  async remove(nameOrId: string): Promise<string[]> {
    const fileName = this.catalog.get(nameOrId)?.file ?? nameOrId;
    if (basename(fileName) !== fileName) throw new CairnError('model-not-found', `${nameOrId} is not a model name (give the file name, as \`cairn models list\` shows it)`);
    const lower = fileName.toLowerCase();
    const removed: string[] = [];
    for (const model of await this.list()) {
      if (model.name.toLowerCase() !== lower) continue;
      await rm(model.path, { force: true });
      removed.push(model.path);
    }
    // The rest of an unfinished download: its description beside its bytes.
    for (const name of await filesIn(this.partialDir)) {
      if ([lower, `${lower}${PART_SUFFIX}`, `${lower}${PART_SUFFIX}.json`].includes(name.toLowerCase())) {
        await rm(join(this.partialDir, name), { force: true });
        if (!removed.includes(join(this.partialDir, name))) removed.push(join(this.partialDir, name));
      }
    }
    if (removed.length === 0) throw new CairnError('model-not-found', `There is no model ${nameOrId} in ${this.dir}`);
    return removed;
  }

  /**
   * Downloads a catalog model (by id) or any .gguf URL into the directory: resumes an unfinished
   * download of the same file, checks the result, and returns it. A model already there is returned as is.
   */
  async pull(idOrUrl: string, options: PullOptions = {}): Promise<ModelInfo & { alreadyPresent: boolean }> {
    const { url, fileName } = this.#source(idOrUrl);
    const target = join(this.dir, fileName);
    if (await exists(target)) {
      const present = await this.describe(target);
      if (present.status === 'ready') return { ...present, alreadyPresent: true };
      throw new CairnError('model-exists', `${target} exists but is not a whole GGUF model (${present.problem}); remove it first with \`cairn models rm ${fileName}\``);
    }
    await mkdir(this.partialDir, { recursive: true });
    const { path } = await downloadGguf({
      url,
      dir: this.partialDir,
      fileName,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
      ...(this.#stallTimeoutMs === undefined ? {} : { stallTimeoutMs: this.#stallTimeoutMs }),
      ...(this.#retryDelaysMs === undefined ? {} : { retryDelaysMs: this.#retryDelaysMs }),
    });
    await rename(path, target);
    return { ...(await this.describe(target)), alreadyPresent: false };
  }

  #source(idOrUrl: string): { url: string; fileName: string } {
    const entry = this.catalog.get(idOrUrl);
    if (entry) return { url: entry.url, fileName: entry.file };
    if (!/^https?:\/\//i.test(idOrUrl)) {
      throw new CairnError('model-unknown', `"${idOrUrl}" is neither a catalog model (${this.catalog.models.map((m) => m.id).join(', ')}) nor an http(s) URL`);
    }
    let fileName: string;
    try {
      fileName = decodeURIComponent(basename(new URL(idOrUrl).pathname));
    } catch {
      throw new CairnError('model-unknown', `${idOrUrl} is not a valid URL`);
    }
    if (!fileName.toLowerCase().endsWith('.gguf') || basename(fileName) !== fileName) {
      throw new CairnError('model-unknown', `${idOrUrl} does not name a .gguf file`);
    }
    return { url: idOrUrl, fileName };
  }

  /** Any GGUF file, in the directory or not, as list() would show it. */
  async describe(path: string): Promise<ModelInfo> {
    const name = basename(path);
    const check = await checkGgufFile(path);
    const entry = this.catalog.byFile(name);
    let modifiedAt = 0;
    try {
      modifiedAt = (await stat(path)).mtimeMs;
    } catch {
      // Gone since listed: the check above says so.
    }
    return {
      name,
      path,
      sizeBytes: check.sizeBytes,
      status: check.ok ? 'ready' : 'invalid',
      problem: check.ok ? null : check.problem,
      catalogId: entry?.id ?? null,
      role: entry?.role ?? roleOf(check.architecture),
      architecture: check.architecture,
      modifiedAt,
    };
  }
}

/** Architectures of encoder-only models, which embed and cannot chat. */
const embeddingArchitectures = new Set(['bert', 'nomic-bert', 'nomic-bert-moe', 'jina-bert-v2', 'jina-bert-v3', 'neo-bert', 'modern-bert', 't5encoder']);

function roleOf(architecture: string | null): ModelInfo['role'] {
  if (architecture === null) return null;
  return embeddingArchitectures.has(architecture) ? 'embedding' : 'chat';
}

async function filesIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
