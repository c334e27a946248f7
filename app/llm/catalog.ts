// The model catalog (resources/models.json): recommended GGUF models and the rules that pick the
// default chat and embedding model for a machine.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { CairnError, CatalogModel, type HardwareReport, type ModelFit, type ModelRecommendation } from '../contract/index.ts';
import type { EmbedderSpec } from '../embed/index.ts';

const Rule = z.object({
  model: z.string(),
  /** Met when the GPU backend is in use with at least this much VRAM in all. */
  minVramBytes: z.number().int().positive().optional(),
  /** Met when the machine has at least this much RAM in all. */
  minRamBytes: z.number().int().positive().optional(),
  /** Only when the user's documents are not all in English. */
  multilingual: z.boolean().optional(),
  why: z.string(),
});
type Rule = z.infer<typeof Rule>;

export const CatalogFile = z.object({
  version: z.literal(1),
  models: z.array(CatalogModel).min(1),
  rules: z.object({ chat: z.array(Rule), embedding: z.array(Rule).min(1) }),
});
export type CatalogFile = z.infer<typeof CatalogFile>;

export const defaultCatalogPath = join(import.meta.dirname, '..', '..', 'resources', 'models.json');

export class ModelCatalog {
  readonly models: readonly CatalogModel[];
  readonly #rules: CatalogFile['rules'];

  constructor(file: CatalogFile) {
    this.models = file.models;
    this.#rules = file.rules;
    const ids = new Set<string>();
    for (const model of file.models) {
      if (ids.has(model.id)) throw new CairnError('catalog-invalid', `The model catalog lists ${model.id} twice`);
      ids.add(model.id);
    }
    for (const [role, rules] of Object.entries(file.rules) as ['chat' | 'embedding', Rule[]][]) {
      for (const rule of rules) {
        const model = this.get(rule.model);
        if (!model || model.role !== role) throw new CairnError('catalog-invalid', `The model catalog's ${role} rule names ${rule.model}, which is not a ${role} model in it`);
      }
    }
    // The last embedding rule is the fallback: it must hold on any machine.
    const last = file.rules.embedding.at(-1)!;
    if (last.minRamBytes !== undefined || last.minVramBytes !== undefined || last.multilingual !== undefined) {
      throw new CairnError('catalog-invalid', "The model catalog's last embedding rule must have no conditions");
    }
  }

  /** Reads and validates a catalog file (by default resources/models.json). */
  static load(path: string = defaultCatalogPath): ModelCatalog {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new CairnError('catalog-invalid', `Cannot read the model catalog ${path}: ${(error as Error).message}`, { cause: error });
    }
    const parsed = CatalogFile.safeParse(json);
    if (!parsed.success) throw new CairnError('catalog-invalid', `The model catalog ${path} is not valid: ${z.prettifyError(parsed.error)}`);
    return new ModelCatalog(parsed.data);
  }

  get(id: string): CatalogModel | undefined {
    return this.models.find((m) => m.id === id);
  }

  /** The entry whose file has this name (case-insensitive, as file systems on macOS and Windows are). */
  byFile(fileName: string): CatalogModel | undefined {
    const lower = fileName.toLowerCase();
    return this.models.find((m) => m.file.toLowerCase() === lower);
  }

  /**
   * The spec with the prefixes its model wants, when it is a GGUF file of this catalog (by file
   * name): a prefix the spec names, '' included, is the user's and wins. Other files and servers
   * get none: Cairn cannot know what an unknown model was trained with.
   */
  withPrefixes(spec: EmbedderSpec): EmbedderSpec {
    const entry = spec.type === 'gguf' ? this.byFile(basename(spec.modelPath)) : undefined;
    if (entry?.role !== 'embedding') return spec;
    const queryPrefix = spec.queryPrefix ?? entry.queryPrefix;
    const documentPrefix = spec.documentPrefix ?? entry.documentPrefix;
    return { ...spec, ...(queryPrefix === undefined ? {} : { queryPrefix }), ...(documentPrefix === undefined ? {} : { documentPrefix }) };
  }

  /**
   * The default chat and embedding model for a machine: the first rule of each list whose
   * conditions it meets. VRAM counts only when llama.cpp runs on the GPU (a CPU build cannot use it).
   */
  recommend(hardware: MachineMemory, options: { multilingual?: boolean } = {}): ModelRecommendation {
    const multilingual = options.multilingual ?? false;
    const vram = hardware.backend !== 'cpu' ? (hardware.vramTotalBytes ?? 0) : 0;
    const meets = (rule: Rule) =>
      (rule.minVramBytes === undefined || vram >= rule.minVramBytes) &&
      (rule.minRamBytes === undefined || hardware.ramTotalBytes >= rule.minRamBytes) &&
      (rule.multilingual === undefined || rule.multilingual === multilingual);
    const chatRule = this.#rules.chat.find(meets);
    const embeddingRule = this.#rules.embedding.find(meets)!;
    const machine = describeMachine(hardware, vram);
    const chatWhy = chatRule ? chatRule.why : 'too little memory for a local chat model: use a chat server instead (an OpenAI-compatible URL)';
    return {
      chat: chatRule ? this.get(chatRule.model)! : null,
      embedding: this.get(embeddingRule.model)!,
      reason: `${machine}: ${chatWhy}; ${embeddingRule.why}.`,
    };
  }
}

/** What recommend() needs to know about a machine (a HardwareReport has it all). */
export type MachineMemory = Pick<HardwareReport, 'backend' | 'vramTotalBytes' | 'ramTotalBytes'>;

/** Shares of total memory a model may take and still run well: the system, the app and the rest of the machine need the others. */
const VRAM_SHARE = 0.9;
const RAM_SHARE = 0.6;

/**
 * Whether a model suits a machine, by total memory as recommend() judges (free memory changes by
 * the minute): wholly on the GPU when the GPU backend is in use and 90% of its VRAM holds the
 * model, else on the CPU when 60% of RAM holds it, else too large.
 */
export function fitOf(model: Pick<CatalogModel, 'ramBytes' | 'vramBytes'>, hardware: MachineMemory): ModelFit {
  if (hardware.backend !== 'cpu' && (hardware.vramTotalBytes ?? 0) * VRAM_SHARE >= model.vramBytes) return 'gpu';
  return hardware.ramTotalBytes * RAM_SHARE >= model.ramBytes ? 'cpu' : 'too-large';
}

function describeMachine(hardware: MachineMemory, vram: number): string {
  const gb = (bytes: number) => `${(bytes / 1e9).toFixed(bytes >= 10e9 ? 0 : 1)} GB`;
  const gpu = vram > 0 ? `${hardware.backend.toUpperCase()} GPU with ${gb(vram)} VRAM` : 'no usable GPU';
  return `${gpu}, ${gb(hardware.ramTotalBytes)} RAM`;
}

let bundled: ModelCatalog | undefined;

/** The catalog shipped with Cairn (read once). */
export function loadCatalog(): ModelCatalog {
  bundled ??= ModelCatalog.load();
  return bundled;
}

/** Default models for this hardware from the bundled catalog (see ModelCatalog.recommend). */
export function recommendModels(hardware: MachineMemory, options: { multilingual?: boolean } = {}): ModelRecommendation {
  return loadCatalog().recommend(hardware, options);
}

/**
 * Whether the user probably keeps documents in other languages than English, from the locale
 * (LANG / the ICU default): a guess for the first-run recommendation, never a setting.
 */
export function localeIsMultilingual(locale: string = process.env.LC_ALL || process.env.LANG || Intl.DateTimeFormat().resolvedOptions().locale): boolean {
  const language = locale.toLowerCase().split(/[-_.@]/)[0] ?? '';
  return language !== '' && language !== 'en' && language !== 'c' && language !== 'posix';
}
