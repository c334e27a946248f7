// A conversation as Markdown: each question, its answer, and the numbered sources it cites
// (file and page, or email subject, sender and date), for keeping or sharing.
import type { ChatSource, ConversationDetail, ConversationScope } from '../contract/index.ts';
import { siteOf } from './prompt.ts';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** One line about a source: "Title — file /path/report.pdf, p. 3" or "Subject — email from X, 2024-01-02". */
export function describeSource(source: ChatSource): string {
  const title = source.title || source.uri;
  if (source.kind === 'email') {
    const parts = [source.from ? `from ${source.from}` : null, source.date !== null ? day(source.date) : null].filter(Boolean);
    return `${title} — email${parts.length ? ` ${parts.join(', ')}` : ''}`;
  }
  if (source.kind === 'web') return `${title} — web, ${siteOf(source.uri)}, ${source.uri}${source.page !== null ? `, p. ${source.page}` : ''}`;
  const where = [source.page !== null ? `p. ${source.page}` : null, source.headingPath.length ? `§ ${source.headingPath.join(' › ')}` : null, source.ocr ? 'OCR text' : null].filter(Boolean);
  return `${title} — file ${source.uri}${where.length ? `, ${where.join(', ')}` : ''}`;
}

function describeScope(scope: ConversationScope): string {
  if (scope.type === 'all') return 'the whole library';
  if (scope.type === 'none') return 'no documents (plain chat)';
  return `sources ${scope.sourceIds.join(', ')}`;
}

export function conversationToMarkdown(conversation: ConversationDetail): string {
  const lines = [`# ${conversation.title}`, '', `_Cairn conversation of ${day(conversation.createdAt)}, searching ${describeScope(conversation.scope)}._`];
  for (const message of conversation.messages) {
    if (message.role === 'user') {
      lines.push('', '## Question', '', message.content);
      continue;
    }
    const status = message.status === 'complete' ? '' : ` (${message.status})`;
    lines.push('', `## Answer${status}`, '', message.content || '_(no answer)_');
    const cited = message.sources.filter((s) => s.cited);
    if (cited.length) {
      lines.push('', '**Sources**', '');
      for (const s of cited) lines.push(`- [${s.n}] ${describeSource(s)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
