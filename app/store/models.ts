// The embedding models a library has vectors for, and the switch from one to the next.
import type { SqliteDatabase } from '../../native/sqlite.ts';
import { emptyVectorCache, VectorStore, type EmbeddingModelRow, type ModelState, type VectorCache } from './vectors.ts';

export class ModelRepository {
  private readonly db: SqliteDatabase;
  /** Each model's in-memory indexes, kept across searches (see VectorStore). */
  private readonly signIndexes = new Map<number, VectorCache>();
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
      this.store(model).drop();
      this.signIndexes.delete(model.id);
      this.db.prepare('DELETE FROM embedding_models WHERE id = ?').run(model.id);
    }
    this.db.prepare(`UPDATE embedding_models SET state = 'active' WHERE id = ?`).run(id);
  }

  /** Drops a model that was being built but is no longer wanted. */
  discard(id: number): void {
    const model = this.list().find((m) => m.id === id);
    if (!model) return;
    this.store(model).drop();
    this.signIndexes.delete(id);
    this.db.prepare('DELETE FROM embedding_models WHERE id = ?').run(id);
  }

  store(model: EmbeddingModelRow): VectorStore {
    let cache = this.signIndexes.get(model.id);
    if (!cache) this.signIndexes.set(model.id, (cache = emptyVectorCache()));
    return new VectorStore(this.db, model, cache);
  }
}
