// The settings a person changes in the window, kept in the library: answering defaults (read by
// the chat service at each question), the chat model's context size (part of its spec), interface
// language and theme, the local API switch, the web search provider, the local API's token, and
// OCR (the engine's own setting, as `cairn ocr` changes it). Provider keys go to the secret store,
// never here.
import { CairnError } from '../contract/index.ts';
import { EditableSettings, type Settings, type SettingsPatch } from '../contract/api.ts';
import { DEFAULT_CHAT_SETTINGS } from '../chat/index.ts';
import { CHAT_DEFAULTS_SETTING, type Engine } from '../engine.ts';
import { CHAT_MODEL_SETTING, ChatModelSpecSchema, type ChatModelSpec } from '../llm/index.ts';
import { API_TOKEN_SETTING, DEFAULT_API_PORT, newApiToken, resolveApiToken } from '../server/index.ts';
import { secretName, type WebProviderName } from '../web/index.ts';
import type { EngineHost } from './host.ts';

/** Library setting: the parts of EditableSettings not kept elsewhere (interface, local API). */
const APP_SETTINGS = 'app-settings';

const DEFAULTS: Omit<EditableSettings, 'ocr'> = {
  retrieval: { k: DEFAULT_CHAT_SETTINGS.k, minSimilarity: DEFAULT_CHAT_SETTINGS.minSimilarity, meaningWeight: 0.5 },
  generation: { temperature: DEFAULT_CHAT_SETTINGS.temperature, maxAnswerTokens: null, contextSize: null },
  interface: { language: 'system', theme: 'system' },
  localApi: { enabled: false, port: DEFAULT_API_PORT, appendSources: false },
};

// The contract's provider names are the web module's: a new provider must be added to both.
const sameProviders: [WebProviderName] extends [NonNullable<Settings['web']['provider']>] ? true : never = true;
void sameProviders;

function chatSpec(engine: Engine): ChatModelSpec | null {
  const parsed = ChatModelSpecSchema.safeParse(engine.library.settings.get<unknown>(CHAT_MODEL_SETTING));
  return parsed.success ? parsed.data : null;
}

/** The settings a person edits, as stored (each part where it is used), with defaults for the rest. */
export function editableSettings(engine: Engine): EditableSettings {
  const stored = engine.library.settings.get<Partial<EditableSettings>>(APP_SETTINGS) ?? {};
  const chat = engine.chatDefaults();
  const merged = {
    retrieval: { ...DEFAULTS.retrieval, ...pick({ k: chat.k, minSimilarity: chat.minSimilarity, meaningWeight: chat.meaningWeight }) },
    generation: { ...DEFAULTS.generation, ...pick({ temperature: chat.temperature }), maxAnswerTokens: chat.maxAnswerTokens ?? null, contextSize: chatSpec(engine)?.contextSize ?? null },
    interface: { ...DEFAULTS.interface, ...stored.interface },
    localApi: { ...DEFAULTS.localApi, ...stored.localApi },
    ocr: engine.ocrSettings(),
  };
  // A stored value from an older or hand-edited library that no longer fits falls back to the default.
  const parsed = EditableSettings.safeParse(merged);
  return parsed.success ? parsed.data : { ...DEFAULTS, ocr: merged.ocr };
}

function pick<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Everything Settings shows: what is edited, the web provider and whether its key is stored, the API's token and address. */
export async function readSettings(host: EngineHost): Promise<Settings> {
  const { engine } = host;
  const web = engine.web.setting();
  const provider = web?.provider ?? null;
  const keyStored = provider === 'brave' || provider === 'tavily' ? (await engine.secrets.get(secretName(provider))) !== null : false;
  return {
    ...editableSettings(engine),
    web: { provider, baseUrl: web?.baseUrl ?? null, keyStored },
    apiToken: resolveApiToken(engine.library.settings).token,
    localApiUrl: host.localApiUrl(),
    secretStore: engine.secrets.description,
  };
}

export function updateSettings(engine: Engine, patch: Exclude<SettingsPatch, undefined>): void {
  const current = editableSettings(engine);
  const next = {
    retrieval: { ...current.retrieval, ...patch.retrieval },
    generation: { ...current.generation, ...patch.generation },
    interface: { ...current.interface, ...patch.interface },
    localApi: { ...current.localApi, ...patch.localApi },
    ocr: { ...current.ocr, ...patch.ocr },
  };
  const parsed = EditableSettings.safeParse(next);
  if (!parsed.success) throw new CairnError('bad-params', `Invalid settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const valid = parsed.data;
  const spec = chatSpec(engine);
  if (patch.generation?.contextSize !== undefined && !spec) {
    throw new CairnError('no-chat-model', 'The context size belongs to the chat model: choose a chat model first.');
  }
  if (patch.web === null) engine.web.clearProvider();
  else if (patch.web) engine.web.setProvider({ provider: patch.web.provider, ...(patch.web.baseUrl ? { baseUrl: patch.web.baseUrl } : {}) });
  engine.library.transaction(() => {
    engine.library.settings.set(APP_SETTINGS, { interface: valid.interface, localApi: valid.localApi });
    const chat = engine.chatDefaults();
    engine.library.settings.set(CHAT_DEFAULTS_SETTING, {
      ...chat,
      k: valid.retrieval.k,
      minSimilarity: valid.retrieval.minSimilarity,
      meaningWeight: valid.retrieval.meaningWeight,
      temperature: valid.generation.temperature,
      ...(valid.generation.maxAnswerTokens === null ? { maxAnswerTokens: undefined } : { maxAnswerTokens: valid.generation.maxAnswerTokens }),
    });
    // The chat model is opened again with it at the next question (its spec changed).
    if (spec && patch.generation?.contextSize !== undefined) engine.library.settings.set(CHAT_MODEL_SETTING, withContextSize(spec, valid.generation.contextSize));
    if (patch.ocr) engine.setOcrSettings(valid.ocr);
  });
}

/** A chat model spec with the given context size (null: the default). */
export function withContextSize(spec: ChatModelSpec, contextSize: number | null | undefined): ChatModelSpec {
  const { contextSize: _, ...rest } = spec;
  return ChatModelSpecSchema.parse(contextSize ? { ...rest, contextSize } : rest);
}

/** Stores a provider's key in the secret store; says where, for people. */
export async function storeWebKey(engine: Engine, provider: 'brave' | 'tavily', key: string): Promise<{ storedIn: string }> {
  await engine.secrets.set(secretName(provider), key);
  return { storedIn: engine.secrets.description };
}

export async function forgetWebKey(engine: Engine, provider: 'brave' | 'tavily'): Promise<void> {
  await engine.secrets.delete(secretName(provider));
}

export function replaceApiToken(engine: Engine): void {
  engine.library.settings.set(API_TOKEN_SETTING, newApiToken());
}
