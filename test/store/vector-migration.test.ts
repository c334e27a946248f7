// Migration 14: float32 vectors of an existing library become int8 with a scale (a quarter of
// the size), their sign bits untouched, and the file gives the freed space back.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSqlite } from '../../native/sqlite.ts';
import { analyze } from '../../app/search/index.ts';
import { Library, currentVersion, dequantize, migrate, migrations, repairLibrary } from '../../app/store/index.ts';
import { tempDir } from '../support/corpus.ts';

const CHUNKS = 6_000; // more than the migration converts at a time

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function unitRandom(random: () => number, dims: number): Float32Array {
  const v = Float32Array.from({ length: dims }, () => random() - 0.5);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

interface OldLibrary {
  big: number;
  small: number;
  floats: Map<number, { big: Float32Array; small: Float32Array }>;
  paths: Map<number, string>;
  bitsBefore: Map<number, Buffer>;
}

/** A library at schema 13, with vectors of two models as Cairn stored them then (float32). */
function oldLibrary(path: string): OldLibrary {
  const old = openSqlite(path);
  migrate(old, migrations.filter((m) => m.version < 14));
  const random = seeded(3);
  old.prepare(`INSERT INTO sources (kind, uri, name, created_at) VALUES ('import', '/docs', 'docs', 0)`).run();
  const document = old.prepare(`INSERT INTO documents (source_id, uri, path, kind, title, status) VALUES (1, ?, ?, 'file', 't', 'indexed') RETURNING id`).pluck();
  const chunk = old.prepare(`INSERT INTO chunks (document_id, ordinal, text, start_offset, end_offset, token_count) VALUES (?, ?, 'x', 0, 0, 1) RETURNING id`).pluck();
  // Two models as Cairn made their tables before: 384-d with sign bits, 64-d without.
  const model = old.prepare(`INSERT INTO embedding_models (key, spec, dimensions, state, created_at) VALUES (?, '{}', ?, ?, 0) RETURNING id`).pluck();
  const big = model.get('test:384', 384, 'active') as number;
  const small = model.get('test:64', 64, 'building') as number;
  old.exec(`
    CREATE TABLE vectors_${big} (chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE, embedding BLOB NOT NULL);
    CREATE VIRTUAL TABLE vector_bits_${big} USING vec0(embedding bit[384]);
    CREATE TRIGGER vectors_${big}_delete_bits AFTER DELETE ON vectors_${big} BEGIN
      DELETE FROM vector_bits_${big} WHERE rowid = old.chunk_id;
    END;
    CREATE TABLE vectors_${small} (chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE, embedding BLOB NOT NULL);
  `);
  const putBig = old.prepare(`INSERT INTO vectors_${big} (chunk_id, embedding) VALUES (?, ?)`);
  const putBits = old.prepare(`INSERT INTO vector_bits_${big} (rowid, embedding) VALUES (?, vec_quantize_binary(?))`);
  const putSmall = old.prepare(`INSERT INTO vectors_${small} (chunk_id, embedding) VALUES (?, ?)`);
  const floats = new Map<number, { big: Float32Array; small: Float32Array }>();
  const paths = new Map<number, string>();
  old.transaction(() => {
    for (let i = 0; i < CHUNKS; i++) {
      const path = `/docs/${i}.txt`;
      const id = chunk.get(document.get(path, path), 0) as number;
      const vectors = { big: unitRandom(random, 384), small: unitRandom(random, 64) };
      putBig.run(id, Buffer.from(vectors.big.buffer));
      putBits.run(BigInt(id), Buffer.from(vectors.big.buffer));
      putSmall.run(id, Buffer.from(vectors.small.buffer));
      floats.set(id, vectors);
      paths.set(id, path);
    }
  })();
  const bitsBefore = new Map(old.prepare(`SELECT rowid, embedding FROM vector_bits_${big}`).raw().all() as [number, Buffer][]);
  old.pragma('wal_checkpoint(TRUNCATE)');
  old.close();
  return { big, small, floats, paths, bitsBefore };
}

/** Each model's vectors are the int8 form of the float ones, and the sign bits are as they were. */
function assertConverted(library: Library, { big, small, floats, bitsBefore }: OldLibrary): void {
  for (const [id, dims, key] of [[big, 384, 'big'], [small, 64, 'small']] as const) {
    const rows = library.db.prepare(`SELECT chunk_id, embedding FROM vectors_${id}`).raw().all() as [number, Buffer][];
    assert.equal(rows.length, CHUNKS, 'every vector kept');
    for (const [chunkId, stored] of rows) {
      assert.equal(stored.byteLength, 4 + dims);
      const original = floats.get(chunkId)![key];
      assert.ok(dot(dequantize(stored), original) > 0.999, `vector of chunk ${chunkId} (${dims}-d) is the float one`);
    }
  }
  const bitsAfter = new Map(library.db.prepare(`SELECT rowid, embedding FROM vector_bits_${big}`).raw().all() as [number, Buffer][]);
  assert.deepEqual(bitsAfter, bitsBefore, 'sign bits as they were');
  const signsOfStored = library.db.prepare(`SELECT count(*) FROM vectors_${big} v JOIN vector_bits_${big} b ON b.rowid = v.chunk_id WHERE b.embedding = vec_quantize_binary(vec_int8(substr(v.embedding, 5)))`).pluck();
  assert.equal(signsOfStored.get(), CHUNKS, 'the int8 vectors have the signs of the bits');
}

test('migration 14 converts float vectors to int8 in place, keeps their sign bits, and vacuums the space they freed', () => {
  const path = join(tempDir('cairn-store-'), 'library.db');
  const old = oldLibrary(path);
  const { big, floats, paths } = old;
  const sizeBefore = statSync(path).size;

  const library = Library.open(path);
  try {
    assert.equal(currentVersion(library.db), migrations.at(-1)!.version);
    assertConverted(library, old);

    // The freed pages went back to the file system.
    assert.equal(library.db.pragma('freelist_count', { simple: true }), 0);
    library.db.pragma('wal_checkpoint(TRUNCATE)');
    const sizeAfter = statSync(path).size;
    assert.ok(sizeAfter < sizeBefore * 0.6, `${sizeBefore} → ${sizeAfter} bytes`);

    // Search works on the converted vectors; removing a chunk still removes its sign bits.
    const store = library.models.store(library.models.byState('active')!);
    const [someId, some] = [...floats].at(17)!;
    assert.equal(store.nearest(some.big, 1)[0]!.chunkId, someId);
    library.documents.removeUnder(paths.get(someId)!);
    assert.equal(library.db.prepare(`SELECT count(*) FROM vector_bits_${big} WHERE rowid = ?`).pluck().get(someId), 0);
    assert.notEqual(store.nearest(some.big, 1)[0]!.chunkId, someId);
  } finally {
    library.close();
  }
});

test('repairing a library from before migration 14 stores its vectors as int8 and rebuilds their sign bits from them', () => {
  const path = join(tempDir('cairn-store-'), 'library.db');
  const old = oldLibrary(path);
  const report = repairLibrary(path, analyze);
  assert.equal(report.tables.find((t) => t.table === `vectors_${old.big}`)?.copied, CHUNKS);
  const library = Library.open(path);
  try {
    assertConverted(library, old);
    const [someId, some] = [...old.floats].at(5)!;
    assert.equal(library.models.store(library.models.byState('active')!).nearest(some.big, 1)[0]!.chunkId, someId);
  } finally {
    library.close();
  }
});

test('migration 14 leaves out a stored vector that is not a float vector of its model, for the embedder to make again; the rest convert', () => {
  const path = join(tempDir('cairn-store-'), 'library.db');
  const old = oldLibrary(path);
  const [brokenId] = [...old.floats.keys()];
  const db = openSqlite(path);
  db.prepare(`UPDATE vectors_${old.big} SET embedding = ? WHERE chunk_id = ?`).run(Buffer.alloc(100), brokenId);
  db.close();

  const library = Library.open(path);
  try {
    assert.equal(currentVersion(library.db), migrations.at(-1)!.version);
    const rows = library.db.prepare(`SELECT chunk_id, embedding FROM vectors_${old.big}`).raw().all() as [number, Buffer][];
    assert.equal(rows.length, CHUNKS - 1, 'every other vector kept');
    assert.ok(rows.every(([chunkId, stored]) => chunkId !== brokenId && stored.byteLength === 4 + 384));
    const store = library.models.store(library.models.byState('active')!);
    assert.deepEqual(store.missing(10).map((c) => c.id), [brokenId], 'its chunk is waiting for a vector');
    const [someId, some] = [...old.floats].at(-1)!;
    assert.equal(store.nearest(some.big, 1)[0]!.chunkId, someId);
  } finally {
    library.close();
  }
});
