// The settings a person changes in the window, kept in the library: answering defaults (read by
// the chat service at each question), interface language and theme, the local API switch, the
// web search provider, and the local API's token. Provider keys go to the secret store, never here.
import { CairnError } from '../contract/index.ts';
import { EditableSettings, type Settings, type SettingsPatch } from '../contract/api.ts';
import { DEFAULT_CHAT_SETTINGS } from '../chat/index.ts';
import { CHAT_DEFAULTS_SETTING, type Engine } from '../engine.ts';
import { API_TOKEN_SETTING, DEFAULT_API_PORT, newApiToken, resolveApiToken } from '../server/index.ts';
import { secretName, type WebProviderName } from '../web/index.ts';

/** Library setting: the parts of EditableSettings not kept elsewhere (search mode, interface, local API). */
const APP_SETTINGS = 'app-settings';

const DEFAULTS: EditableSettings = {
  retrieval: { k: DEFAULT_CHAT_SETTINGS.k, minSimilarity: DEFAULT_CHAT_SETTINGS.minSimilarity, mode: 'hybrid' },
  generation: { temperature: DEFAULT_CHAT_SETTINGS.temperature, maxAnswerTokens: null },
  interface: { language: 'system', theme: 'system' },
  localApi: { enabled: false, port: DEFAULT_API_PORT, appendSources: false },
};

// The contract's provider names are the web module's: a new provider must be added to both.
const sameProviders: [WebProviderName] extends [NonNullable<Settings['web']['provider']>] ? true : never = true;
void sameProviders;

function editable(engine: Engine): EditableSettings {
  const stored = engine.library.settings.get<Partial<EditableSettings>>(APP_SETTINGS) ?? {};
  const chat = engine.chatDefaults();
  const merged = {
    retrieval: { ...DEFAULTS.retrieval, ...stored.retrieval, ...pick({ k: chat.k, minSimilarity: chat.minSimilarity }) },
    generation: { ...DEFAULTS.generation, ...pick({ temperature: chat.temperature }), maxAnswerTokens: chat.maxAnswerTokens ?? null },
    interface: { ...DEFAULTS.interface, ...stored.interface },
    localApi: { ...DEFAULTS.localApi, ...stored.localApi },
  };
  // A stored value from an older or hand-edited library that no longer fits falls back to the default.
  const parsed = EditableSettings.safeParse(merged);
  return parsed.success ? parsed.data : DEFAULTS;
}

function pick<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function readSettings(engine: Engine): Settings {
  const web = engine.web.setting();
  return {
    ...editable(engine),
    web: { provider: web?.provider ?? null, baseUrl: web?.baseUrl ?? null },
    apiToken: resolveApiToken(engine.library.settings).token,
  };
}

export function updateSettings(engine: Engine, patch: Exclude<SettingsPatch, undefined>): Settings {
  const current = editable(engine);
  const next = {
    retrieval: { ...current.retrieval, ...patch.retrieval },
    generation: { ...current.generation, ...patch.generation },
    interface: { ...current.interface, ...patch.interface },
    localApi: { ...current.localApi, ...patch.localApi },
  };
  const parsed = EditableSettings.safeParse(next);
  if (!parsed.success) throw new CairnError('bad-params', `Invalid settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const valid = parsed.data;
  if (patch.web === null) engine.web.clearProvider();
  else if (patch.web) engine.web.setProvider({ provider: patch.web.provider, ...(patch.web.baseUrl ? { baseUrl: patch.web.baseUrl } : {}) });
  engine.library.transaction(() => {
    engine.library.settings.set(APP_SETTINGS, { retrieval: { mode: valid.retrieval.mode }, interface: valid.interface, localApi: valid.localApi });
    const chat = engine.chatDefaults();
    engine.library.settings.set(CHAT_DEFAULTS_SETTING, {
      ...chat,
      k: valid.retrieval.k,
      minSimilarity: valid.retrieval.minSimilarity,
      temperature: valid.generation.temperature,
      ...(valid.generation.maxAnswerTokens === null ? { maxAnswerTokens: undefined } : { maxAnswerTokens: valid.generation.maxAnswerTokens }),
    });
  });
  return readSettings(engine);
}

/** Stores a provider's key in the secret store; says where, for people. */
export async function storeWebKey(engine: Engine, provider: 'brave' | 'tavily', key: string): Promise<{ storedIn: string }> {
  await engine.secrets.set(secretName(provider), key);
  return { storedIn: engine.secrets.description };
}

export function replaceApiToken(engine: Engine): Settings {
  engine.library.settings.set(API_TOKEN_SETTING, newApiToken());
  return readSettings(engine);
}
