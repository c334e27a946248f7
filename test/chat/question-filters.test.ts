import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ChatService, questionFilters } from '../../app/chat/index.ts';
import type { ChatEvent } from '../../app/contract/index.ts';
import { Engine } from '../../app/engine.ts';
import { tempDir } from '../support/corpus.ts';
import { ScriptedChatModel } from '../support/scripted-chat-model.ts';
import { writeChatCorpus } from './library.ts';

// Wednesday 25 November 2026, noon, local time.
const now = new Date(2026, 10, 25, 12, 0, 0);
const local = (y: number, m: number, d: number) => new Date(y, m - 1, d).getTime();

test('a question names a sender, a recipient and a time that become filters', () => {
  const week = questionFilters('What did Alice say about the invoice last week?', now);
  assert.deepEqual(week.filters, { from: 'Alice', dateFrom: local(2026, 11, 16), dateTo: local(2026, 11, 23) - 1 });
  assert.equal(week.query, 'What did say about the invoice ?');
  assert.equal(week.description, 'from Alice, 2026-11-16 to 2026-11-22');

  const yesterday = questionFilters('emails from bob@example.com yesterday about the server', now);
  assert.deepEqual(yesterday.filters, { from: 'bob@example.com', dateFrom: local(2026, 11, 24), dateTo: local(2026, 11, 25) - 1 });

  const march = questionFilters('What did I send to Carol in March?', now);
  assert.deepEqual(march.filters, { to: 'Carol', dateFrom: local(2026, 3, 1), dateTo: local(2026, 4, 1) - 1 });
  // A month later in the year than now is last year's.
  assert.equal(questionFilters('the plan in December', now).filters.dateFrom, local(2025, 12, 1));

  const days = questionFilters('What did Bob Jones write about the merger in the past 3 days', now);
  assert.deepEqual(days.filters, { from: 'Bob Jones', dateFrom: local(2026, 11, 23), dateTo: local(2026, 11, 26) - 1 });
  assert.deepEqual(questionFilters('Alice wrote about budgets this month', now).filters, { from: 'Alice', dateFrom: local(2026, 11, 1), dateTo: local(2026, 11, 26) - 1 });

  // Capitalised words that are not people, and questions that imply nothing.
  for (const question of ['Please tell me about the budget', 'What did I learn from March reports', 'How can the contract be terminated?', 'Tell me what Friday brings']) {
    assert.equal(questionFilters(question, now).filters.from, undefined, question);
  }
  const none = questionFilters('How can the contract be terminated?', now);
  assert.deepEqual(none, { filters: {}, query: 'How can the contract be terminated?', description: null });
});

test('"what did Alice say last week" answers from her recent email only, and falls back when the filters find nothing', async () => {
  const dir = writeChatCorpus();
  const mail = (file: string, from: string, date: string, subject: string, body: string) =>
    writeFileSync(join(dir, 'mail', file), [
      `From: ${from}`, 'To: Bob <bob@example.com>', `Date: ${date}`, `Subject: ${subject}`, `Message-ID: <${file}@example.com>`,
      'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', body, '',
    ].join('\r\n'));
  mail('recent.eml', 'Alice Smith <alice@example.com>', 'Thu, 19 Nov 2026 09:00:00 +0000', 'Invoice reminder', 'The invoice is overdue; please pay it this week.');
  mail('dave.eml', 'Dave <dave@example.com>', 'Fri, 20 Nov 2026 09:00:00 +0000', 'Invoice question', 'Which invoice number should I use?');
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder: null });
  try {
    engine.add([dir]);
    await engine.index();
    const chat = new ChatService({ library: engine.library, search: (r) => engine.search(r), model: async () => new ScriptedChatModel(['Pay it [1].']), now: () => now });
    const events: ChatEvent[] = [];
    const answer = await chat.ask({ question: 'What did Alice say about the invoice last week?' }, { onEvent: (e) => events.push(e) });
    assert.deepEqual(answer.sources.map((s) => s.title), ['Invoice reminder'], 'only her email of last week, not October\'s or Dave\'s');
    assert.ok(events.some((e) => e.type === 'notice' && e.code === 'filters' && /from Alice, 2026-11-16 to 2026-11-22/.test(e.message)));

    const fallback: ChatEvent[] = [];
    const other = await chat.ask({ question: 'What did Zed say about the invoice?' }, { onEvent: (e) => fallback.push(e) });
    assert.ok(fallback.some((e) => e.type === 'notice' && e.code === 'filters' && /Nothing from Zed; searched everything instead/.test(e.message)));
    assert.ok(other.sources.some((s) => s.title === 'Invoice reminder') && other.sources.some((s) => s.title === 'Invoice question'));
  } finally {
    await engine.close();
  }
});
