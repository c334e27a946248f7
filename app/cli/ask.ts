// `cairn ask`: one question, the answer streamed to stdout, then the sources it cites.
import { describeSource } from '../chat/index.ts';
import { CairnError, DocumentKind, type AskRequest, type ChatEvent, type SearchFilters, type StoredMessage } from '../contract/index.ts';
import type { Engine } from '../engine.ts';

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
}

/** Search filters from the same options `cairn search` takes; undefined when none is given. */
export function filtersFromOptions(values: ChatCliValues): SearchFilters | undefined {
  const kinds = values.kind?.map((k) => {
    if ((DocumentKind.options as readonly string[]).includes(k)) return k as DocumentKind;
    throw new CairnError('usage', `--kind must be one of ${DocumentKind.options.join(', ')} (got "${k}").`);
  });
  const filters: SearchFilters = {
    ...(kinds ? { kinds } : {}),
    ...(values.path ? { pathPrefix: values.path } : {}),
    ...(values.from ? { from: values.from } : {}),
    ...(values.to ? { to: values.to } : {}),
    ...(values.after ? { dateFrom: values.after } : {}),
    ...(values.before ? { dateTo: values.before } : {}),
  };
  return Object.keys(filters).length ? filters : undefined;
}

export function conversationIdOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const id = Number(value);
  if (!Number.isInteger(id) || id < 1) throw new CairnError('usage', `--conversation needs a conversation id (got "${value}"); see \`cairn conversations list\`.`);
  return id;
}

/** The request for a new or continued conversation from the command-line options. */
export function askRequest(question: string, values: ChatCliValues, conversationId: number | undefined): AskRequest {
  const filters = filtersFromOptions(values);
  const sourceIds = values.source?.map((s) => {
    const id = Number(s);
    if (!Number.isInteger(id)) throw new CairnError('usage', `--source needs a source id (got "${s}").`);
    return id;
  });
  return {
    question,
    ...(conversationId !== undefined ? { conversationId } : {}),
    ...(values.plain ? { scope: { type: 'none' as const } } : sourceIds?.length ? { scope: { type: 'sources' as const, sourceIds } } : {}),
    ...(filters ? { filters } : {}),
    ...(values.k ? { settings: { k: Number(values.k) } } : {}),
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
export function formatSources(message: StoredMessage): string {
  const cited = message.sources.filter((s) => s.cited);
  const list = cited.length ? cited : message.status === 'failed' ? message.sources : [];
  if (list.length === 0) return '';
  const heading = cited.length ? 'Sources:' : 'Found in your library:';
  return `\n${heading}\n${list.map((s) => `  [${s.n}] ${describeSource(s)}`).join('\n')}\n`;
}

/**
 * Asks and prints as the answer streams: text to stdout, thinking (dimmed, on a terminal) and
 * notices to stderr, then the sources. Resolves to the stored answer.
 */
export async function streamAnswer(engine: Engine, request: AskRequest, signal: AbortSignal, printer: Printer = stdPrinter): Promise<StoredMessage> {
  let thinking = false;
  let wroteText = false;
  let noModel = false;
  const onEvent = (event: ChatEvent) => {
    switch (event.type) {
      case 'thought':
        if (printer.tty) {
          printer.err(`${thinking ? '' : '\x1b[2m(thinking) '}${event.delta}`);
          thinking = true;
        }
        break;
      case 'text':
        if (noModel) break; // said on stderr already
        if (thinking) {
          printer.err('\x1b[22m\n');
          thinking = false;
        }
        printer.out(event.delta);
        wroteText = true;
        break;
      case 'notice':
        if (event.code === 'no-chat-model') noModel = true;
        if (event.code !== 'nothing-found') printer.err(`(${event.message})\n`);
        break;
      default:
        break;
    }
  };
  const answer = await engine.chat.ask(request, { signal, onEvent });
  if (thinking) printer.err('\x1b[22m\n');
  if (wroteText) printer.out('\n');
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
    const answer = await engine.chat.ask(request, { signal });
    console.log(JSON.stringify(answer, null, 2));
    return exitCode(answer);
  }
  const answer = await streamAnswer(engine, request, signal);
  process.stderr.write(`(conversation ${answer.conversationId}: continue with --conversation ${answer.conversationId})\n`);
  return exitCode(answer);
}

function exitCode(answer: StoredMessage): number {
  return answer.status === 'complete' ? 0 : answer.status === 'stopped' ? 130 : 1;
}
