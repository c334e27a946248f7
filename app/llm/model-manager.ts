// The models directory: GGUF files that Cairn downloaded or imported, shared by all libraries.
// Unfinished downloads live in its ".partial" folder, so a file directly in the directory has
// always been checked whole (or was put there by hand, and is checked when listed). A download
// whose SHA-256 is not the one known for it stays there too, set aside, until the user accepts
// it. What each download hashed to is recorded in ".provenance".
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { CairnError, ModelProvenance, type DownloadProgress, type ModelInfo } from '../contract/index.ts';
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
  /** The SHA-256 the file must have (64 hex digits); by default the catalog's, if it pins one. */
  sha256?: string;
  /** Keep the file even when its SHA-256 is not the one expected (the user has seen both). */
  acceptHash?: boolean;
}

const PARTIAL_DIR = '.partial';
const PROVENANCE_DIR = '.provenance';
/** A whole download whose SHA-256 did not match, set aside in the partial folder; its description has `.mismatch.json`. */
const MISMATCH_SUFFIX = '.mismatch';

/** What a download's record keeps: its provenance, and the size it had (a file replaced by hand no longer matches). */
const ProvenanceRecord = ModelProvenance.extend({ sizeBytes: z.number() });
type ProvenanceRecord = z.infer<typeof ProvenanceRecord>;

/** A download set aside for its hash: where it came from, what was expected and what it is. */
const SetAside = z.object({ url: z.string(), pullAs: z.string(), expectedSha256: z.string(), sha256: z.string() });
type SetAside = z.infer<typeof SetAside>;

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
      // The bytes of an unfinished download, a whole one not yet moved (a crash between the two),
      // or one set aside because its hash is not the one expected.
      const setAside = name.endsWith(MISMATCH_SUFFIX);
      const finalName = name.endsWith(PART_SUFFIX) ? name.slice(0, -PART_SUFFIX.length) : setAside ? name.slice(0, -MISMATCH_SUFFIX.length) : name;
      if (!finalName.toLowerCase().endsWith('.gguf') || models.some((m) => m.name === finalName)) continue;
      const path = join(this.partialDir, name);
      // A download that completes meanwhile moves its file out of the partial folder: it is listed as ready next time.
      const info = await stat(path).catch(() => null);
      if (!info) continue;
      const entry = this.catalog.byFile(finalName);
      let problem: string;
      let download: ModelInfo['download'];
      if (setAside) {
        const about = await readSetAside(`${path}.json`);
        problem = about
          ? `downloaded with sha256 ${about.sha256}, not the pinned ${about.expectedSha256}: not used; \`cairn models pull ${about.pullAs} --accept-hash\` keeps it, \`cairn models rm ${finalName}\` deletes it`
          : `a download set aside because its sha256 was not the one expected: \`cairn models rm ${finalName}\` deletes it`;
      } else {
        const part = await readPartInfo(`${path}.json`);
        const total = part?.totalBytes;
        problem = `an unfinished download${total ? ` (${Math.floor((100 * info.size) / total)}% of ${total} bytes)` : ''}: pull it again to resume`;
        if (part) download = { url: part.url, totalBytes: part.totalBytes };
      }
      models.push({
        name: finalName,
        path,
        sizeBytes: info.size,
        status: setAside ? 'invalid' : 'partial',
        problem,
        catalogId: entry?.id ?? null,
        role: entry?.role ?? null,
        architecture: null,
        modifiedAt: info.mtimeMs,
        provenance: null,
        ...(download ? { download } : {}),
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
      await rm(this.#recordPath(name), { force: true }); // a record left by a download of a file of that name
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
      await rm(this.#recordPath(model.name), { force: true });
      removed.push(model.path);
    }
    // The rest of an unfinished or set-aside download: its description beside its bytes.
    for (const name of await filesIn(this.partialDir)) {
      const lowerName = name.toLowerCase();
      if (lowerName === lower || lowerName.startsWith(`${lower}.`)) {
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
   *
   * The download's SHA-256 is checked against the one known for it (options.sha256, else the
   * catalog's): one that differs is set aside, not used, with a 'model-hash-mismatch' error
   * naming both, until a pull with acceptHash keeps it (without downloading it again). When no
   * hash is known, the download's own is recorded. Either way models list shows it.
   */
  async pull(idOrUrl: string, options: PullOptions = {}): Promise<ModelInfo & { alreadyPresent: boolean }> {
    const { url, fileName, sha256: pinned } = this.#source(idOrUrl, options.sha256);
    let expected = pinned;
    const target = join(this.dir, fileName);
    if (await exists(target)) {
      const present = await this.describe(target);
      if (present.status === 'ready') return { ...present, alreadyPresent: true };
      throw new CairnError('model-exists', `${target} exists but is not a whole GGUF model (${present.problem}); remove it first with \`cairn models rm ${fileName}\``);
    }
    await mkdir(this.partialDir, { recursive: true });
    const setAsidePath = join(this.partialDir, fileName + MISMATCH_SUFFIX);
    const setAside = await readSetAside(`${setAsidePath}.json`);
    let file: { path: string; sha256: string };
    if (setAside && setAside.url === url && (options.acceptHash || setAside.sha256 === expected)) {
      // Accepted now (or the hash expected is now the one it has): used as it is, not downloaded again.
      file = { path: setAsidePath, sha256: setAside.sha256 };
      expected ??= setAside.expectedSha256;
    } else {
      // Pulled again without accepting it: perhaps the file upstream or the way to it has changed since.
      await rm(setAsidePath, { force: true });
      await rm(`${setAsidePath}.json`, { force: true });
      file = await downloadGguf({
        url,
        dir: this.partialDir,
        fileName,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.headers ? { headers: options.headers } : {}),
        ...(this.#stallTimeoutMs === undefined ? {} : { stallTimeoutMs: this.#stallTimeoutMs }),
        ...(this.#retryDelaysMs === undefined ? {} : { retryDelaysMs: this.#retryDelaysMs }),
      });
    }
    const check = expected === undefined ? 'recorded' : file.sha256 === expected ? 'pinned' : 'accepted';
    if (check === 'accepted' && !options.acceptHash) {
      if (file.path !== setAsidePath) await rename(file.path, setAsidePath);
      await writeFile(`${setAsidePath}.json`, JSON.stringify({ url, pullAs: idOrUrl, expectedSha256: expected!, sha256: file.sha256 } satisfies SetAside));
      throw new CairnError(
        'model-hash-mismatch',
        `${fileName} does not match the sha256 pinned for it: expected ${expected}, got ${file.sha256}. The file may have been re-uploaded upstream, or changed on the way here; ` +
          `it is set aside and not used. \`cairn models pull ${idOrUrl} --accept-hash\` keeps it; \`cairn models rm ${fileName}\` deletes it.`,
      );
    }
    const sizeBytes = (await stat(file.path)).size;
    const record: ProvenanceRecord = { url, sha256: file.sha256, check, expectedSha256: expected ?? null, downloadedAt: Date.now(), sizeBytes };
    await mkdir(join(this.dir, PROVENANCE_DIR), { recursive: true });
    await writeFile(this.#recordPath(fileName), JSON.stringify(record, null, 2));
    await rename(file.path, target);
    await rm(`${setAsidePath}.json`, { force: true });
    return { ...(await this.describe(target)), alreadyPresent: false };
  }

  #source(idOrUrl: string, sha256: string | undefined): { url: string; fileName: string; sha256?: string } {
    if (sha256 !== undefined && !/^[0-9a-f]{64}$/i.test(sha256)) {
      throw new CairnError('usage', `A sha256 is 64 hexadecimal digits (got "${sha256}").`);
    }
    const given = sha256?.toLowerCase();
    const entry = this.catalog.get(idOrUrl);
    if (entry) {
      const pinned = given ?? entry.sha256;
      return { url: entry.url, fileName: entry.file, ...(pinned ? { sha256: pinned } : {}) };
    }
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
    return { url: idOrUrl, fileName, ...(given ? { sha256: given } : {}) };
  }

  #recordPath(fileName: string): string {
    return join(this.dir, PROVENANCE_DIR, `${fileName}.json`);
  }

  /** The download record of a model in the directory, if it still describes the file there. */
  async #provenance(fileName: string, sizeBytes: number): Promise<ModelProvenance | null> {
    let record: ProvenanceRecord;
    try {
      const parsed = ProvenanceRecord.safeParse(JSON.parse(await readFile(this.#recordPath(fileName), 'utf8')));
      if (!parsed.success) return null;
      record = parsed.data;
    } catch {
      return null;
    }
    if (record.sizeBytes !== sizeBytes) return null; // replaced since
    const { sizeBytes: _size, ...provenance } = record;
    return provenance;
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
      provenance: resolve(dirname(path)) === this.dir ? await this.#provenance(name, check.sizeBytes) : null,
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

async function readSetAside(path: string): Promise<SetAside | null> {
  try {
    const parsed = SetAside.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
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
