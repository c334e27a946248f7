// Models over the contract: the catalog with this machine's recommendation, the model files, and
// downloads that run in the background (progress as model-download events, the end as a
// model-pull event; cancel keeps what arrived so that pulling again resumes). Choosing the chat
// model is a setting; choosing the embedding model re-embeds the library in the background.
import { basename, resolve } from 'node:path';
import { CairnError, type ModelInfo } from '../contract/index.ts';
import type { ModelChoice, ModelInUse, ModelsState } from '../contract/api.ts';
import type { EmbedderSpec } from '../embed/index.ts';
import { CHAT_MODEL_SETTING, ChatModelSpecSchema, describeHardware, fitOf, localeIsMultilingual, type ChatModelSpec, type ModelManager } from '../llm/index.ts';
import type { EngineHost } from './host.ts';
import { withContextSize } from './settings.ts';

export class ModelService {
  private readonly host: EngineHost;
  /** Downloads under way, by file name. */
  private readonly pulls = new Map<string, AbortController>();

  constructor(host: EngineHost) {
    this.host = host;
  }

  private get manager(): ModelManager {
    return this.host.models;
  }

  async catalog() {
    const hardware = await describeHardware();
    return {
      models: this.manager.catalog.models.map((model) => ({ ...model, fit: fitOf(model, hardware) })),
      recommendation: this.manager.catalog.recommend(hardware, { multilingual: localeIsMultilingual() }),
      hardware,
    };
  }

  async state(): Promise<ModelsState> {
    const { settings } = this.host.engine.library;
    const chat = ChatModelSpecSchema.safeParse(settings.get<unknown>(CHAT_MODEL_SETTING));
    const embedder = settings.get<EmbedderSpec>('embedder');
    return {
      dir: this.manager.dir,
      models: await this.manager.list(),
      pulling: [...this.pulls.keys()],
      chat: chat.success ? inUse(chat.data) : null,
      embedding: embedder ? inUse(embedder) : null,
    };
  }

  /** Starts a download and returns its file name at once; a second pull of the same file is refused. */
  pull(model: string): { file: string } {
    const file = this.fileOf(model);
    if (this.pulls.has(file)) throw new CairnError('model-pulling', `${file} is already being downloaded.`);
    const controller = new AbortController();
    this.pulls.set(file, controller);
    const emit = this.host.emit.bind(this.host);
    void this.manager
      .pull(model, { signal: controller.signal, onProgress: (progress) => emit(progress) })
      .then(
        (info) => emit({ type: 'model-pull', file, outcome: 'done', model: stripExtra(info), error: null }),
        (error: unknown) => {
          const cancelled = error instanceof CairnError && error.code === 'download-cancelled';
          emit({
            type: 'model-pull', file, outcome: cancelled ? 'cancelled' : 'failed', model: null,
            error: { code: error instanceof CairnError ? error.code : 'download-failed', message: (error as Error).message },
          });
        },
      )
      .finally(() => this.pulls.delete(file));
    return { file };
  }

  cancel(file: string): boolean {
    const pull = this.pulls.get(file);
    pull?.abort();
    return pull !== undefined;
  }

  /** Stops every download (on shutdown); each resumes when pulled again. */
  cancelAll(): void {
    for (const pull of this.pulls.values()) pull.abort();
  }

  async useChat(choice: ModelChoice): Promise<ModelsState> {
    const { settings } = this.host.engine.library;
    if (choice.type === 'none') settings.delete(CHAT_MODEL_SETTING);
    else {
      let spec: ChatModelSpec;
      if (choice.type === 'server') spec = { type: 'openai', baseUrl: choice.baseUrl, model: choice.model };
      else {
        const model = await this.resolve(choice.model);
        if (model.role === 'embedding') throw new CairnError('model-wrong-role', `${model.name} is an embedding model, not a chat model.`);
        spec = { type: 'gguf', modelPath: model.path };
      }
      // The context size chosen in Settings stays with the next model.
      const previous = ChatModelSpecSchema.safeParse(settings.get<unknown>(CHAT_MODEL_SETTING));
      settings.set(CHAT_MODEL_SETTING, withContextSize(spec, previous.success ? previous.data.contextSize : undefined));
    }
    return this.state();
  }

  async useEmbedding(choice: ModelChoice): Promise<ModelsState> {
    const { engine } = this.host;
    if (choice.type === 'none') await engine.setEmbedder(null);
    else if (choice.type === 'server') {
      await engine.setEmbedder({ type: 'openai', baseUrl: choice.baseUrl, model: choice.model, ...(choice.dimensions ? { dimensions: choice.dimensions } : {}) });
    } else {
      const model = await this.resolve(choice.model);
      if (model.role === 'chat') throw new CairnError('model-wrong-role', `${model.name} is a chat model, not an embedding model.`);
      await engine.setEmbedder({ type: 'gguf', modelPath: model.path });
    }
    // Chunks without a vector in the new model get one in the background (reembed-progress events).
    if (choice.type !== 'none') this.host.indexSoon();
    return this.state();
  }

  /** A ready model by catalog id or name in the models directory, or any GGUF file by path. */
  private async resolve(what: string): Promise<ModelInfo> {
    const found = await this.manager.find(what);
    if (found) return found;
    const file = await this.manager.describe(resolve(what));
    if (file.status === 'ready') return file;
    const entry = this.manager.catalog.get(what);
    if (entry) throw new CairnError('model-not-found', `${entry.name} is not downloaded yet: pull ${entry.id} first.`);
    if (file.sizeBytes > 0) throw new CairnError('model-not-gguf', `${what}: ${file.problem}`);
    throw new CairnError('model-not-found', `No model "${what}" in ${this.manager.dir}, and no such file.`);
  }

  /** The file a pull of a catalog id or URL makes (the same name the manager gives it). */
  private fileOf(model: string): string {
    const entry = this.manager.catalog.get(model);
    if (entry) return entry.file;
    let name: string;
    try {
      name = decodeURIComponent(basename(new URL(model).pathname));
    } catch {
      throw new CairnError('model-unknown', `"${model}" is neither a catalog model (${this.manager.catalog.models.map((m) => m.id).join(', ')}) nor a URL of a .gguf file.`);
    }
    if (!/^https?:$/.test(new URL(model).protocol) || !name.toLowerCase().endsWith('.gguf')) throw new CairnError('model-unknown', `${model} does not name a .gguf file.`);
    return name;
  }
}

function inUse(spec: ChatModelSpec | EmbedderSpec): ModelInUse {
  return spec.type === 'gguf'
    ? { type: 'file', name: basename(spec.modelPath), location: spec.modelPath }
    : { type: 'server', name: spec.model, location: spec.baseUrl };
}

function stripExtra(info: ModelInfo & { alreadyPresent?: boolean }): ModelInfo {
  const { alreadyPresent: _, ...model } = info;
  return model;
}
