// `cairn chat` (an interactive conversation in the terminal), `cairn conversations …`, and the
// Ctrl-C handling of both and of `cairn ask`: the first stops the answer, a second exits.
import { createInterface } from 'node:readline';
import { CairnError, type ConversationSummary } from '../contract/index.ts';
import type { Engine } from '../engine.ts';
import { askCommand, askRequest, conversationIdOption, formatSources, streamAnswer, type ChatCliValues } from './ask.ts';
import { terminalLine, terminalText } from './terminal-text.ts';

const CHAT_HELP = `Ask anything about your library. Commands: /new (new conversation), /list (conversations),
/open ID (continue one), /quit. Ctrl-C stops an answer; pressed again (or at the prompt), it exits.`;

/** Runs `ask`, `chat` or `conversations`, with their own Ctrl-C handling. */
export async function runChatCommand(engine: Engine, command: 'ask' | 'chat' | 'conversations', args: string[], values: ChatCliValues): Promise<number> {
  if (command === 'conversations') return conversationsCommand(engine, args, values);
  if (command === 'chat') return chatCommand(engine, values);
  const controller = new AbortController();
  const interrupt = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  try {
    return await askCommand(engine, args, values, controller.signal);
  } finally {
    process.off('SIGINT', interrupt);
  }
}

function listLine(c: ConversationSummary): string {
  const when = new Date(c.updatedAt).toISOString().slice(0, 16).replace('T', ' ');
  return `${String(c.id).padStart(4)}  ${when}  ${String(c.messageCount).padStart(3)} msgs  ${terminalLine(c.title)}`;
}

async function chatCommand(engine: Engine, values: ChatCliValues): Promise<number> {
  let conversationId = conversationIdOption(values.conversation);
  if (conversationId !== undefined) engine.chat.getConversation(conversationId); // fails early on a bad id
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: Boolean(process.stdin.isTTY && process.stdout.isTTY) });
  let answering: AbortController | null = null;
  let quit = false;
  const interrupt = () => {
    if (answering && !answering.signal.aborted) {
      answering.abort();
      return;
    }
    quit = true;
    rl.close();
  };
  rl.on('SIGINT', interrupt);
  process.on('SIGINT', interrupt);
  console.error(CHAT_HELP);
  try {
    rl.setPrompt('> ');
    rl.prompt();
    for await (const raw of rl) {
      const line = raw.trim();
      if (line === '/quit' || line === '/exit') break;
      if (line === '/new') {
        conversationId = undefined;
        console.error('(new conversation)');
      } else if (line === '/list') {
        const all = engine.chat.listConversations();
        console.log(all.length ? all.map(listLine).join('\n') : '(no conversations yet)');
      } else if (line.startsWith('/open')) {
        try {
          const id = conversationIdOption(line.slice(5).trim());
          const conversation = engine.chat.getConversation(id!);
          conversationId = conversation.id;
          console.error(`(continuing "${terminalLine(conversation.title)}", ${conversation.messageCount} messages)`);
        } catch (error) {
          console.error(`(${terminalLine((error as Error).message)})`);
        }
      } else if (line.startsWith('/')) {
        console.error(CHAT_HELP);
      } else if (line) {
        answering = new AbortController();
        try {
          const answer = await streamAnswer(engine, askRequest(line, conversationId === undefined ? values : { ...values, plain: false, source: [] }, conversationId), answering.signal);
          if ('conversationId' in answer) conversationId = answer.conversationId;
        } catch (error) {
          if (!(error instanceof CairnError)) throw error;
          console.error(`(${terminalLine(error.message)})`);
        } finally {
          answering = null;
        }
      }
      if (quit) break;
      rl.prompt();
    }
  } finally {
    rl.off('SIGINT', interrupt);
    process.off('SIGINT', interrupt);
    rl.close();
  }
  return 0;
}

async function conversationsCommand(engine: Engine, args: string[], values: ChatCliValues): Promise<number> {
  const [action = 'list', idText, ...rest] = args;
  if (action === 'list') {
    const all = engine.chat.listConversations();
    console.log(values.json ? JSON.stringify(all, null, 2) : all.length ? all.map(listLine).join('\n') : 'No conversations yet. Ask with `cairn ask "…"` or `cairn chat`.');
    return 0;
  }
  const id = Number(idText);
  if (!idText || !/^\d+$/.test(idText) || id < 1) throw new CairnError('usage', `cairn conversations ${action} needs a conversation id (see \`cairn conversations list\`).`);
  switch (action) {
    case 'show': {
      const conversation = engine.chat.getConversation(id);
      if (values.json) {
        console.log(JSON.stringify(conversation, null, 2));
        return 0;
      }
      console.log(`# ${terminalLine(conversation.title)}\n`);
      for (const m of conversation.messages) {
        if (m.role === 'user') console.log(`> ${terminalText(m.content)}\n`);
        else console.log(`${terminalText(m.content)}${m.status === 'complete' ? '' : ` (${m.status})`}\n${formatSources(m)}`);
      }
      return 0;
    }
    case 'rename': {
      const title = rest.join(' ');
      console.log(`Renamed to "${terminalLine(engine.chat.renameConversation(id, title).title)}".`);
      return 0;
    }
    case 'rm':
      engine.chat.deleteConversation(id);
      console.log(`Deleted conversation ${id}.`);
      return 0;
    case 'export': {
      // Exact into a file or a pipe; on a terminal, shown safely like every other answer.
      const markdown = engine.chat.exportMarkdown(id);
      process.stdout.write(process.stdout.isTTY ? terminalText(markdown) : markdown);
      return 0;
    }
    default:
      throw new CairnError('usage', `Unknown conversations action: ${action} (list, show, rename, rm, export).`);
  }
}
