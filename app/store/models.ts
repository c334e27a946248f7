// The embedding models a library has vectors for, and the switch from one to the next.
import type { SqliteDatabase } from '../../native/sqlite.ts';
import { VectorStore, type EmbeddingModelRow, type ModelState } from './vectors.ts';

export class ModelRepository {
  private readonly db: SqliteDatabase;
  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  list(): EmbeddingModelRow[] {
    return this.db.prepare('SELECT id, key, spec, dimensions, state FROM embedding_models ORDER BY id').all() as EmbeddingModelRow[];
  }

  byState(state: ModelState): EmbeddingModelRow | undefined {
    return this.list().find((m) => m.state === state);
  }

  byKey(key: string): EmbeddingModelRow | undefined {
    return this.list().find((m) => m.key === key);
  }

  /** Registers a model (with its tables) in the given state, or returns the existing row. */
  register(key: string, spec: unknown, dimensions: number, state: ModelState): EmbeddingModelRow {
    const existing = this.byKey(key);
    if (existing) return existing;
    const row = this.db
      .prepare(
        `INSERT INTO embedding_models (key, spec, dimensions, state, created_at) VALUES (?, ?, ?, ?, ?)
         RETURNING id, key, spec, dimensions, state`,
      )
      .get(key, JSON.stringify(spec), dimensions, state, Date.now()) as EmbeddingModelRow;
    new VectorStore(this.db, row).create();
    return row;
  }

  /** Makes `id` the model search uses, and drops the vectors of every other model. */
  activate(id: number): void {
    for (const model of this.list()) {
      if (model.id === id) continue;
      new VectorStore(this.db, model).drop();
      this.db.prepare('DELETE FROM embedding_models WHERE id = ?').run(model.id);
    }
    this.db.prepare(`UPDATE embedding_models SET state = 'active' WHERE id = ?`).run(id);
  }

  /** Drops a model that was being built but is no longer wanted. */
  discard(id: number): void {
    const model = this.list().find((m) => m.id === id);
    if (!model) return;
    new VectorStore(this.db, model).drop();
    this.db.prepare('DELETE FROM embedding_models WHERE id = ?').run(id);
  }

  store(model: EmbeddingModelRow): VectorStore {
    return new VectorStore(this.db, model);
  }
}
