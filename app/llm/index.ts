// Language models: the ChatModel interface and its backends (a GGUF file run in-process by
// llama.cpp, or any OpenAI-compatible server), the model catalog, and the models on disk.
import { CairnError } from '../contract/index.ts';
import { ChatModelSpecSchema, type ChatModel, type ChatModelSpec } from './chat-model.ts';
import { LocalChatModel } from './local-chat-model.ts';
import { RemoteChatModel } from './remote-chat-model.ts';

export {
  ChatModelSpecSchema,
  type ChatMessage,
  type ChatModel,
  type ChatModelSpec,
  type ChatRole,
  type CompleteOptions,
  type GenerateOptions,
  type GenerateResult,
  type JsonSchema,
  type ModelFeatures,
  type ResponseFormat,
  type SamplingOptions,
  type ToolCall,
  type ToolChoice,
  type ToolDefinition,
} from './chat-model.ts';
export { StopSequences } from './stop-sequences.ts';
export { grammarSchema, JsonSchemaChecker } from './json-output.ts';
export { DEFAULT_CHAT_CONTEXT, LocalChatModel, type GgufChatModelSpec } from './local-chat-model.ts';
export { DEFAULT_REMOTE_CONTEXT, RemoteChatModel, type OpenAiChatModelSpec, type RemoteChatModelOptions } from './remote-chat-model.ts';
export { ThinkSplitter, type SplitPiece } from './think-splitter.ts';
export { CatalogFile, defaultCatalogPath, fitOf, loadCatalog, localeIsMultilingual, ModelCatalog, recommendModels, type MachineMemory } from './catalog.ts';
export { defaultModelsDir, ModelManager, type ModelManagerOptions, type PullOptions } from './model-manager.ts';
export { downloadGguf, type DownloadRequest } from './download.ts';
export { checkGgufFile, type GgufCheck } from './gguf-file.ts';
export { describeHardware } from './hardware.ts';

/** Library setting that holds the chat model's spec (never a secret). */
export const CHAT_MODEL_SETTING = 'chat-model';

/**
 * Opens the chat model a spec describes (validated first: specs come back from the settings).
 * A GGUF model is loaded now (seconds for a few GB); a remote one is not contacted until generate().
 */
export async function openChatModel(spec: ChatModelSpec, options: { apiKey?: string } = {}): Promise<ChatModel> {
  const parsed = ChatModelSpecSchema.safeParse(spec);
  if (!parsed.success) {
    throw new CairnError('chat-bad-spec', `The chat model settings are not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const valid = parsed.data;
  if (valid.type === 'gguf') return LocalChatModel.open(valid);
  return new RemoteChatModel(valid, options.apiKey === undefined ? {} : { apiKey: options.apiKey });
}
