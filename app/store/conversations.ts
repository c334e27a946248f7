// Conversations, their messages, and a snapshot of the sources each answer was given.
import type {
  ChatSettings,
  ChatSource,
  ConversationScope,
  ConversationSummary,
  MessageRole,
  MessageStatus,
  SearchFiltersParsed,
  StoredMessage,
} from '../contract/index.ts';
import type { SqliteDatabase } from '../../native/sqlite.ts';

export interface ConversationInput {
  title: string;
  scope: ConversationScope;
  filters: SearchFiltersParsed;
  settings: ChatSettings;
}

export interface MessageInput {
  conversationId: number;
  role: MessageRole;
  content: string;
  thought?: string;
  status: MessageStatus;
  modelKey?: string | null;
  settings?: Record<string, unknown>;
}

interface ConversationRow {
  id: number;
  title: string;
  scope: 'all' | 'sources' | 'none';
  source_ids: string;
  filters: string;
  settings: string;
  created_at: number;
  updated_at: number;
  message_count: number;
}

interface MessageRow {
  id: number;
  conversation_id: number;
  role: MessageRole;
  content: string;
  thought: string;
  status: MessageStatus;
  model_key: string | null;
  settings: string;
  created_at: number;
}

interface SourceRow {
  message_id: number;
  n: number;
  cited: number;
  chunk_id: number;
  document_id: number;
  uri: string;
  title: string;
  kind: ChatSource['kind'];
  page: number | null;
  heading_path: string;
  snippet: string;
  date: number | null;
  sender: string | null;
  ocr: number;
}

const CONVERSATION_COLUMNS = `c.id, c.title, c.scope, c.source_ids, c.filters, c.settings, c.created_at, c.updated_at,
  (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS message_count`;

function toSummary(row: ConversationRow): ConversationSummary {
  const scope: ConversationScope =
    row.scope === 'sources' ? { type: 'sources', sourceIds: JSON.parse(row.source_ids) as number[] } : { type: row.scope };
  return {
    id: row.id,
    title: row.title,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    scope,
    filters: JSON.parse(row.filters) as SearchFiltersParsed,
    settings: JSON.parse(row.settings) as ChatSettings,
    messageCount: row.message_count,
  };
}

function toSource(row: SourceRow): ChatSource {
  return {
    n: row.n,
    chunkId: row.chunk_id,
    documentId: row.document_id,
    uri: row.uri,
    title: row.title,
    kind: row.kind,
    page: row.page,
    headingPath: JSON.parse(row.heading_path) as string[],
    snippet: row.snippet,
    date: row.date,
    from: row.sender,
    cited: row.cited === 1,
    ...(row.ocr === 1 ? { ocr: true } : {}),
  };
}

export class ConversationRepository {
  private readonly db: SqliteDatabase;
  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  create(input: ConversationInput, now = Date.now()): ConversationSummary {
    const sourceIds = input.scope.type === 'sources' ? input.scope.sourceIds : [];
    const { id } = this.db
      .prepare(
        `INSERT INTO conversations (title, scope, source_ids, filters, settings, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      )
      .get(input.title, input.scope.type, JSON.stringify(sourceIds), JSON.stringify(input.filters), JSON.stringify(input.settings), now, now) as {
      id: number;
    };
    return this.get(id)!;
  }

  get(id: number): ConversationSummary | undefined {
    const row = this.db.prepare(`SELECT ${CONVERSATION_COLUMNS} FROM conversations c WHERE c.id = ?`).get(id) as ConversationRow | undefined;
    return row && toSummary(row);
  }

  /** Most recently active first. */
  list(): ConversationSummary[] {
    const rows = this.db.prepare(`SELECT ${CONVERSATION_COLUMNS} FROM conversations c ORDER BY c.updated_at DESC, c.id DESC`).all() as ConversationRow[];
    return rows.map(toSummary);
  }

  rename(id: number, title: string): boolean {
    return this.db.prepare('UPDATE conversations SET title = ? WHERE id = ?').run(title, id).changes > 0;
  }

  /** Replaces what the next answers search (scope, filters) and their settings. */
  update(id: number, changes: { scope?: ConversationScope; filters?: SearchFiltersParsed; settings?: ChatSettings }): void {
    if (changes.scope) {
      const sourceIds = changes.scope.type === 'sources' ? changes.scope.sourceIds : [];
      this.db.prepare('UPDATE conversations SET scope = ?, source_ids = ? WHERE id = ?').run(changes.scope.type, JSON.stringify(sourceIds), id);
    }
    if (changes.filters) this.db.prepare('UPDATE conversations SET filters = ? WHERE id = ?').run(JSON.stringify(changes.filters), id);
    if (changes.settings) this.db.prepare('UPDATE conversations SET settings = ? WHERE id = ?').run(JSON.stringify(changes.settings), id);
  }

  /** Deletes the conversation with its messages and their sources. */
  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM conversations WHERE id = ?').run(id).changes > 0;
  }

  addMessage(input: MessageInput, now = Date.now()): StoredMessage {
    const { id } = this.db
      .prepare(
        `INSERT INTO messages (conversation_id, role, content, thought, status, model_key, settings, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      )
      .get(
        input.conversationId, input.role, input.content, input.thought ?? '', input.status, input.modelKey ?? null,
        JSON.stringify(input.settings ?? {}), now,
      ) as { id: number };
    this.db.prepare('UPDATE conversations SET updated_at = max(updated_at, ?) WHERE id = ?').run(now, input.conversationId);
    return this.message(id)!;
  }

  /** Records the numbered sources an answer was given (snapshots). */
  addSources(messageId: number, sources: ChatSource[]): void {
    const insert = this.db.prepare(
      `INSERT INTO message_sources (message_id, n, cited, chunk_id, document_id, uri, title, kind, page, heading_path, snippet, date, sender, ocr)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const s of sources) {
      insert.run(messageId, s.n, s.cited ? 1 : 0, s.chunkId, s.documentId, s.uri, s.title, s.kind, s.page, JSON.stringify(s.headingPath), s.snippet, s.date, s.from, s.ocr ? 1 : 0);
    }
  }

  /** Changes a question's text (edit and resend). */
  setContent(messageId: number, content: string): void {
    this.db.prepare('UPDATE messages SET content = ? WHERE id = ?').run(content, messageId);
  }

  message(id: number): StoredMessage | undefined {
    const row = this.db.prepare('SELECT * FROM messages WHERE id = ?').get(id) as MessageRow | undefined;
    return row && this.withSources([row])[0];
  }

  /** The conversation's messages, oldest first, each with its sources. */
  messages(conversationId: number): StoredMessage[] {
    const rows = this.db.prepare('SELECT * FROM messages WHERE conversation_id = ? ORDER BY id').all(conversationId) as MessageRow[];
    return this.withSources(rows);
  }

  /** Deletes every message after this one in its conversation (with their sources). */
  deleteAfter(messageId: number): number {
    const row = this.db.prepare('SELECT conversation_id FROM messages WHERE id = ?').get(messageId) as { conversation_id: number } | undefined;
    if (!row) return 0;
    return this.db.prepare('DELETE FROM messages WHERE conversation_id = ? AND id > ?').run(row.conversation_id, messageId).changes;
  }

  private withSources(rows: MessageRow[]): StoredMessage[] {
    if (rows.length === 0) return [];
    const sources = this.db
      .prepare('SELECT * FROM message_sources WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY message_id, n')
      .all(JSON.stringify(rows.map((r) => r.id))) as SourceRow[];
    const byMessage = new Map<number, ChatSource[]>();
    for (const s of sources) {
      let list = byMessage.get(s.message_id);
      if (!list) byMessage.set(s.message_id, (list = []));
      list.push(toSource(s));
    }
    return rows.map((r) => ({
      id: r.id,
      conversationId: r.conversation_id,
      role: r.role,
      content: r.content,
      thought: r.thought,
      status: r.status,
      modelKey: r.model_key,
      settings: JSON.parse(r.settings) as Record<string, unknown>,
      createdAt: r.created_at,
      sources: byMessage.get(r.id) ?? [],
    }));
  }
}
