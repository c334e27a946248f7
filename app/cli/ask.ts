// `cairn ask`: one question, the answer streamed to stdout, then the sources it cites.
import { describeSource, NOTHING_FOUND_MESSAGE, type AnswerOptions } from '../chat/index.ts';
import { CairnError, DocumentKind, type AskRequest, type ChatEvent, type ChatSource, type MessageStatus, type SearchFilters, type StoredMessage } from '../contract/index.ts';
import type { Engine } from '../engine.ts';
import { choice, dateOption, idOption, positiveInteger } from './options.ts';
import { terminalLine, terminalText } from './terminal-text.ts';

/** The command-line options `ask` and `chat` read (parsed in main.ts). */
export interface ChatCliValues {
  conversation?: string;
  plain?: boolean;
  /** Also search the web for this question. */
  web?: boolean;
  json?: boolean;
  k?: string;
  source?: string[];
  kind?: string[];
  path?: string;
  from?: string;
  to?: string;
  after?: string;
  before?: string;
  /** Mail folder (the first one given). */
  folder?: string[];
}

/** The most search results an answer considers (ChatSettings.k). */
const MAX_ANSWER_K = 50;

/** Search filters from the same options `cairn search` takes (but --source); undefined when none is given. */
export function filtersFromOptions(values: ChatCliValues): SearchFilters | undefined {
  const filters: SearchFilters = {
    ...(values.kind ? { kinds: values.kind.map((k) => choice(DocumentKind, k, '--kind')) } : {}),
    ...(values.path ? { pathPrefix: values.path } : {}),
    ...(values.from ? { from: values.from } : {}),
    ...(values.to ? { to: values.to } : {}),
    ...(values.folder?.length ? { folder: values.folder[0] } : {}),
    ...(values.after ? { dateFrom: dateOption(values.after, '--after') } : {}),
    ...(values.before ? { dateTo: dateOption(values.before, '--before') } : {}),
  };
  return Object.keys(filters).length ? filters : undefined;
}

export function conversationIdOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const id = Number(value);
  if (!/^\d+$/.test(value.trim()) || id < 1) throw new CairnError('usage', `--conversation needs a conversation id (got "${value}"); see \`cairn conversations list\`.`);
  return id;
}

/** The request for a new or continued conversation from the command-line options. */
export function askRequest(question: string, values: ChatCliValues, conversationId: number | undefined): AskRequest {
  const filters = filtersFromOptions(values);
  const sourceIds = values.source?.map((s) => idOption(s, '--source', 'a source'));
  return {
    question,
    ...(conversationId !== undefined ? { conversationId } : {}),
    ...(values.plain ? { scope: { type: 'none' as const } } : sourceIds?.length ? { scope: { type: 'sources' as const, sourceIds } } : {}),
    ...(filters ? { filters } : {}),
    ...(values.k ? { settings: { k: positiveInteger(values.k, '--k', MAX_ANSWER_K) } } : {}),
    ...(values.web ? { web: true } : {}),
  };
}

export interface Printer {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whether stderr is a terminal (thinking is shown there, dimmed). */
  tty: boolean;
}

export const stdPrinter: Printer = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  tty: Boolean(process.stderr.isTTY),
};

/** The cited sources (or, when no model answered, the ones found), one line each. */
export function formatSources(message: Pick<StoredMessage, 'sources' | 'status'>): string {
  const cited = message.sources.filter((s) => s.cited);
  const list = cited.length ? cited : message.status === 'failed' ? message.sources : [];
  if (list.length === 0) return '';
  const heading = cited.length ? 'Sources:' : 'Found in your library:';
  return `\n${heading}\n${list.map((s) => `  [${s.n}] ${terminalLine(describeSource(s))}`).join('\n')}\n`;
}

/** What `ask` and `chat` print of an answer as it streams: text to stdout, the rest to stderr. */
function answerPrinter(printer: Printer) {
  let thinking = false;
  let wroteText = false;
  const endThought = () => {
    if (thinking) printer.err('\x1b[22m\n');
    thinking = false;
  };
  return {
    onEvent(event: ChatEvent): void {
      switch (event.type) {
        case 'thought':
          if (printer.tty) {
            printer.err(`${thinking ? '' : '\x1b[2m(thinking) '}${terminalText(event.delta)}`);
            thinking = true;
          }
          break;
        case 'text':
          endThought();
          printer.out(terminalText(event.delta));
          wroteText = true;
          break;
        case 'notice':
          if (event.code !== 'nothing-found') printer.err(`(${terminalLine(event.message)})\n`);
          break;
        default:
          break;
      }
    },
    end(): void {
      endThought();
      if (wroteText) printer.out('\n');
    },
  };
}

/** What `ask` shows when there is no chat model: nothing is stored, and search still answers what it can. */
export interface UnstoredAnswer {
  stored: false;
  status: 'complete' | 'failed';
  /** nothing-found: the library has nothing on it (no model needed to say so); no-chat-model: the sources found. */
  code: 'nothing-found' | 'no-chat-model';
  content: string;
  sources: ChatSource[];
}

async function answerWithoutModel(engine: Engine, request: AskRequest, unavailable: string, options: AnswerOptions): Promise<UnstoredAnswer> {
  const sources = await engine.chat.lookup(request, options);
  if (sources?.length === 0) return { stored: false, status: 'complete', code: 'nothing-found', content: NOTHING_FOUND_MESSAGE, sources };
  return { stored: false, status: 'failed', code: 'no-chat-model', content: unavailable, sources: sources ?? [] };
}

/**
 * Asks and prints as the answer streams: text to stdout, thinking (dimmed, on a terminal) and
 * notices to stderr, then the sources. Resolves to the stored answer. With no chat model nothing
 * is stored: the notice and what search found are shown instead.
 */
export async function streamAnswer(engine: Engine, request: AskRequest, signal: AbortSignal, printer: Printer = stdPrinter): Promise<StoredMessage | UnstoredAnswer> {
  const shown = answerPrinter(printer);
  const model = await engine.chatModel();
  if ('unavailable' in model) {
    printer.err(`(${terminalLine(model.unavailable)})\n`);
    const answer = await answerWithoutModel(engine, request, model.unavailable, { signal, onEvent: shown.onEvent });
    shown.end();
    printer.out(answer.code === 'nothing-found' ? `${answer.content}\n` : formatSources(answer));
    return answer;
  }
  const answer = await engine.chat.ask(request, { signal, onEvent: shown.onEvent });
  shown.end();
  if (answer.status === 'stopped') printer.err('(stopped)\n');
  printer.out(formatSources(answer));
  return answer;
}

/** `cairn ask "<question>"`: exit 0 when answered, 1 when no model could answer, 130 when stopped. */
export async function askCommand(engine: Engine, args: string[], values: ChatCliValues, signal: AbortSignal): Promise<number> {
  const question = args.join(' ').trim();
  if (!question) throw new CairnError('usage', 'cairn ask needs a question, e.g. cairn ask "what did the lease say about pets?"');
  const request = askRequest(question, values, conversationIdOption(values.conversation));
  if (values.json) {
    const model = await engine.chatModel();
    const answer = 'unavailable' in model ? await answerWithoutModel(engine, request, model.unavailable, { signal }) : await engine.chat.ask(request, { signal });
    console.log(JSON.stringify(answer, null, 2));
    return exitCode(answer);
  }
  const answer = await streamAnswer(engine, request, signal);
  if ('conversationId' in answer) process.stderr.write(`(conversation ${answer.conversationId}: continue with --conversation ${answer.conversationId})\n`);
  return exitCode(answer);
}

function exitCode(answer: { status: MessageStatus }): number {
  return answer.status === 'complete' ? 0 : answer.status === 'stopped' ? 130 : 1;
}
