// (f) Local generation: model load time, time to first token for a short and a long prompt,
// prompt reading speed and generation speed, through LocalChatModel as answers use it. The model
// is CAIRN_BENCH_CHAT_GGUF, else the tiny shared stories260K.gguf (then the figures measure the
// plumbing, not a real model: run it with e.g. Qwen3-4B-Q4_K_M.gguf for meaningful ones).
import { join } from 'node:path';
import { LocalChatModel, type ChatMessage } from '../../app/llm/index.ts';
import { describeLlama } from '../../native/llama.ts';
import { modelsDir } from '../support/shared.ts';
import { atLeast, atMost, info, percentile, report, seconds, type Figure } from './report.ts';
import { benchScale } from './scale.ts';

const modelPath = process.env.CAIRN_BENCH_CHAT_GGUF ?? join(modelsDir, 'stories260K.gguf');
const scale = benchScale();
const runs = scale.name === 'small' ? 3 : 8;
const maxTokens = scale.name === 'small' ? 48 : 128;

const topics = ['a red ball', 'a little dog', 'the big tree', 'a rainy day', 'a kind bird', 'the blue boat', 'a lost toy', 'the sunny park', 'a brave cat', 'an old clock'];

const llama = await describeLlama();
const loadStarted = performance.now();
const model = await LocalChatModel.open({ type: 'gguf', modelPath, ...(process.env.CAIRN_BENCH_THREADS ? { threads: Number(process.env.CAIRN_BENCH_THREADS) } : {}) });
const loadSeconds = seconds(loadStarted);
console.log(`${model.key}: context ${model.contextSize} tokens, ${model.gpuLayers} layers on the GPU; llama.cpp on ${llama.backend === 'cpu' ? `the CPU (${llama.cpuThreads} thread${llama.cpuThreads === 1 ? '' : 's'})` : `${llama.backend} (${llama.devices.join(', ')})`}; loaded in ${loadSeconds.toFixed(2)} s`);

interface Timing {
  firstTokenMs: number;
  tokensPerSecond: number;
  tokens: number;
}

/** Time to the first piece of output (answer or thought), and decoding speed after it. */
async function timeGeneration(messages: ChatMessage[]): Promise<Timing> {
  const started = performance.now();
  let first: number | null = null;
  const mark = () => (first ??= performance.now());
  const result = await model.generate(messages, { maxTokens, temperature: 0, onText: mark, onThought: mark });
  const ended = performance.now();
  const firstAt = first ?? ended;
  // The first token comes with the prompt's evaluation; the rest are pure decoding.
  const decodeSeconds = (ended - firstAt) / 1000;
  return { firstTokenMs: firstAt - started, tokensPerSecond: result.tokens > 1 && decodeSeconds > 0 ? (result.tokens - 1) / decodeSeconds : 0, tokens: result.tokens };
}

const system = { role: 'system' as const, content: 'Answer the question from the notes, briefly.' };
// Warm-up: the first evaluation pays one-time costs (buffers, kernels).
await timeGeneration([system, { role: 'user', content: 'Tell me about a cat.' }]);

const short: Timing[] = [];
for (let i = 0; i < runs; i++) {
  short.push(await timeGeneration([system, { role: 'user', content: `Write a short story about ${topics[i % topics.length]}.` }]));
}

// A long prompt, as a question with retrieved passages is: about half the context, different each run
// (so no cached prefix beyond the system prompt flatters it).
const passage = (seed: number) => `Note ${seed}: ${topics.map((t, j) => `Lily saw ${t} on day ${seed * 10 + j}.`).join(' ')}`;
const longRuns = Math.max(2, Math.floor(runs / 2));
const long: (Timing & { promptTokens: number })[] = [];
for (let i = 0; i < longRuns; i++) {
  const notes: string[] = [];
  for (let seed = i * 1000; model.countTokens(notes.join('\n')) < model.contextSize / 2 - maxTokens; seed++) notes.push(passage(seed));
  const question = `${notes.join('\n')}\n\nWhat did Lily see?`;
  const promptTokens = model.countTokens(question);
  long.push({ ...(await timeGeneration([system, { role: 'user', content: question }])), promptTokens });
}
await model.close();

const ttftShort = percentile(short.map((t) => t.firstTokenMs), 50);
const speed = percentile(short.map((t) => t.tokensPerSecond), 50);
const ttftLong = percentile(long.map((t) => t.firstTokenMs), 50);
const promptSpeed = percentile(long.map((t) => t.promptTokens / (t.firstTokenMs / 1000)), 50);
console.log(`short prompts: first token ${short.map((t) => t.firstTokenMs.toFixed(0)).join(', ')} ms; ${short.map((t) => `${t.tokens} tokens at ${t.tokensPerSecond.toFixed(1)}/s`).join(', ')}`);
console.log(`long prompts (${long.map((t) => t.promptTokens).join(', ')} tokens): first token ${long.map((t) => t.firstTokenMs.toFixed(0)).join(', ')} ms`);

const label = model.key.replace(/^gguf:/, '');
const figures: Figure[] = [
  info(`(f) ${label}: model load`, loadSeconds, 's'),
  // What a person waits before the answer starts, and how fast it then reads.
  atMost(`(f) ${label}: time to first token, short prompt p50`, ttftShort, 'ms', 1000),
  atLeast(`(f) ${label}: generation speed p50`, speed, 'tokens/s', 10),
  info(`(f) ${label}: time to first token, ${Math.round(percentile(long.map((t) => t.promptTokens), 50))}-token prompt p50`, ttftLong, 'ms'),
  info(`(f) ${label}: prompt reading speed p50`, promptSpeed, 'tokens/s'),
];
report(figures);
