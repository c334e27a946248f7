import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSqlite } from '../../native/sqlite.ts';
import { dequantize, Library, QuantizedVectors, quantize, SignIndex, signBits } from '../../app/store/index.ts';
import { docInput } from '../support/documents.ts';
import { tempDir } from '../support/corpus.ts';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const db = openSqlite(':memory:');
const quantizeBinary = db.prepare('SELECT vec_quantize_binary(?)').pluck();
const signsOf = (v: Float32Array) => quantizeBinary.get(Buffer.from(v.buffer, v.byteOffset, v.byteLength)) as Buffer;

function hamming(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) for (let x = a[i]! ^ b[i]!; x; x &= x - 1) sum++;
  return sum;
}

for (const wasm of [true, false]) test(`the sign index returns exactly the nearest by hamming distance, with filters and deletions (${wasm ? 'WebAssembly' : 'JavaScript'})`, () => {
  const random = seeded(11);
  const dims = 136; // not a multiple of 128: the last group is padded
  const index = new SignIndex(dims, { wasm });
  const all = new Map<number, Buffer>();
  for (let id = 1; id <= 3_000; id++) {
    const bits = signsOf(Float32Array.from({ length: dims }, () => random() - 0.5));
    index.set(id * 7, bits);
    all.set(id * 7, bits);
  }
  for (let id = 7; id <= 700; id += 7) {
    index.delete(id);
    all.delete(id);
  }
  // Replacing a vector's bits keeps one entry.
  const replaced = signsOf(Float32Array.from({ length: dims }, () => random() - 0.5));
  index.set(1400, replaced);
  all.set(1400, replaced);
  assert.equal(index.count, all.size);

  const query = signsOf(Float32Array.from({ length: dims }, () => random() - 0.5));
  const check = (count: number, allowed?: (id: number) => boolean) => {
    const got = index.nearest(query, count, allowed);
    const pool = [...all].filter(([id]) => !allowed || allowed(id)).map(([id, bits]) => ({ id, d: hamming(bits, query) }));
    pool.sort((a, b) => a.d - b.d);
    assert.equal(got.length, Math.min(count, pool.length));
    const worst = pool[got.length - 1]?.d ?? 0;
    const distances = got.map((id) => hamming(all.get(id)!, query));
    // Every returned id is allowed, unique, and no better one was left out.
    assert.equal(new Set(got).size, got.length);
    assert.ok(got.every((id) => all.has(id) && (!allowed || allowed(id))));
    assert.ok(distances.every((d) => d <= worst));
    assert.equal(distances.filter((d) => d < worst).length, pool.filter((p) => p.d < worst).length);
    // The allowed ids as a list (in any order, with ids that have no vector: deleted, never put) pick the same.
    if (allowed) {
      const listed = Array.from({ length: 3_001 * 7 }, (_, id) => id).filter(allowed).reverse();
      assert.deepEqual(index.nearest(query, count, listed), got);
    }
  };
  check(1);
  check(50);
  check(400);
  check(100, (id) => id % 2 === 0);
  check(5_000); // more than there are: all of them
  check(20, (id) => id === 1400 || id === 2100); // fewer allowed than asked
  check(10, () => false);
  check(30, (id) => id % 97 === 0); // a narrow filter
  // The only ones allowed lie farthest: the distance limit widens until it holds them.
  const farthest = new Set([...all].map(([id, bits]) => ({ id, d: hamming(bits, query) })).sort((a, b) => b.d - a.d).slice(0, 40).map((p) => p.id));
  check(20, (id) => farthest.has(id));
});

test('sign bits made in JavaScript are the ones sqlite-vec makes', () => {
  const random = seeded(5);
  for (const dims of [128, 136, 384]) {
    for (let i = 0; i < 50; i++) {
      const v = Float32Array.from({ length: dims }, () => (random() < 0.05 ? 0 : random() - 0.5));
      assert.deepEqual([...signBits(v)], [...signsOf(v)]);
    }
  }
});

const unit = (dims: number, hot: number) => Float32Array.from({ length: dims }, (_, i) => (i === hot ? 1 : i === (hot + 1) % dims ? 0.3 : 0.01));

test('vector search sees vectors another connection wrote and forgets deleted chunks', () => {
  const path = join(tempDir('cairn-vectors-'), 'library.db');
  const library = Library.open(path);
  const other = Library.open(path);
  try {
    const source = library.sources.ensure('import', '/d', 'd');
    const model = library.models.register('test:128', { type: 'test' }, 128, 'active');
    const chunk = (documentPath: string, text: string) => {
      const doc = library.documents.upsert(docInput(source.id, documentPath));
      return library.documents.insertChunks(doc, [{ text, start: 0, end: text.length, page: null, headingPath: [], tokenCount: 1, ftsTitle: '', ftsBody: text }])[0]!;
    };
    const a = chunk('/d/a.txt', 'a');
    const b = chunk('/d/b.txt', 'b');
    library.models.store(model).put(a, unit(128, 3));
    library.models.store(model).put(b, unit(128, 90));
    // The first search loads the index; a later put through this connection updates it.
    assert.deepEqual(library.models.store(model).nearest(unit(128, 3), 1).map((r) => r.chunkId), [a]);
    const c = chunk('/d/c.txt', 'c');
    library.models.store(model).put(c, unit(128, 40));
    assert.deepEqual(library.models.store(model).nearest(unit(128, 40), 1).map((r) => r.chunkId), [c]);

    // Another connection (another process, say) adds a vector: the next search finds it.
    const otherModel = other.models.byKey('test:128')!;
    const d = other.transaction(() => {
      const doc = other.documents.upsert(docInput(source.id, '/d/d.txt'));
      const id = other.documents.insertChunks(doc, [{ text: 'd', start: 0, end: 1, page: null, headingPath: [], tokenCount: 1, ftsTitle: '', ftsBody: 'd' }])[0]!;
      other.models.store(otherModel).put(id, unit(128, 70));
      return id;
    });
    assert.deepEqual(library.models.store(model).nearest(unit(128, 70), 1).map((r) => r.chunkId), [d]);

    // A removed document's chunk never comes back, and filters restrict the candidates.
    library.documents.removeUnder('/d/a.txt');
    const near = library.models.store(model).nearest(unit(128, 3), 10).map((r) => r.chunkId);
    assert.ok(!near.includes(a));
    assert.equal(near.length, 3);
    const filtered = library.models.store(model).nearest(unit(128, 3), 10, { sql: 'd.path = ?', params: ['/d/b.txt'] });
    assert.deepEqual(filtered.map((r) => r.chunkId), [b]);
  } finally {
    other.close();
    library.close();
  }
});

const unitRandom = (random: () => number, dims: number) => {
  const v = Float32Array.from({ length: dims }, () => random() - 0.5);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
};
const exactDot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

test('int8 vectors give the cosine similarity to within 1e-3, and keep their own after replacements and deletions', () => {
  const random = seeded(23);
  const dims = 384;
  const vectors = new QuantizedVectors(dims);
  const all = new Map<number, Float32Array>();
  for (let id = 1; id <= 2_000; id++) {
    const v = unitRandom(random, dims);
    vectors.set(id * 3, quantize(v));
    all.set(id * 3, v);
  }
  for (let id = 3; id <= 600; id += 3) {
    vectors.delete(id);
    all.delete(id);
  }
  const replaced = unitRandom(random, dims);
  vectors.set(900, quantize(replaced));
  all.set(900, replaced);
  vectors.set(7, quantize(new Float32Array(dims))); // all zeros: similarity 0, not NaN
  all.set(7, new Float32Array(dims));
  assert.equal(vectors.count, all.size);
  assert.equal(vectors.dot(unitRandom(random, dims), 3), undefined);
  const query = unitRandom(random, dims);
  let worst = 0;
  for (const [id, v] of all) worst = Math.max(worst, Math.abs(vectors.dot(query, id)! - exactDot(query, v)));
  assert.ok(worst < 1e-3, `largest error ${worst}`);
});

test('vector search re-ranks from vectors in memory once they are copied, and still forgets chunks deleted since', async () => {
  const path = join(tempDir('cairn-vectors-'), 'library.db');
  const library = Library.open(path);
  try {
    const random = seeded(31);
    const source = library.sources.ensure('import', '/d', 'd');
    const model = library.models.register('test:384', { type: 'test' }, 384, 'active');
    const vectors = new Map<number, Float32Array>();
    library.transaction(() => {
      for (let i = 0; i < 3_000; i++) {
        const doc = library.documents.upsert(docInput(source.id, `/d/${i}.txt`));
        const id = library.documents.insertChunks(doc, [{ text: 'x', start: 0, end: 1, page: null, headingPath: [], tokenCount: 1, ftsTitle: '', ftsBody: 'x' }])[0]!;
        const v = unitRandom(random, 384);
        library.models.store(model).put(id, v);
        vectors.set(id, v);
      }
    });
    const store = () => library.models.store(model);
    const query = unitRandom(random, 384);
    store().nearest(query, 10); // loads the sign index and starts the copy
    await store().warmed();
    // Its own vector is the nearest of a chunk's: the scores are the cosine similarities.
    const [some] = vectors.keys();
    const found = store().nearest(vectors.get(some!)!, 10);
    assert.equal(found[0]!.chunkId, some);
    for (const hit of found) assert.ok(Math.abs(1 - hit.distance - exactDot(vectors.get(some!)!, vectors.get(hit.chunkId)!)) < 1e-3);

    // Deleted through this connection after the copy: never returned, and k are still found.
    const before = store().nearest(query, 10).map((r) => r.chunkId);
    for (const id of before.slice(0, 5)) library.documents.removeUnder(`/d/${id - 1}.txt`);
    const gone = new Set(before.slice(0, 5));
    assert.equal(library.db.prepare(`SELECT count(*) FROM vectors_${model.id} WHERE chunk_id IN (SELECT value FROM json_each(?))`).pluck().get(JSON.stringify([...gone])), 0);
    const after = store().nearest(query, 10).map((r) => r.chunkId);
    assert.equal(after.length, 10);
    assert.ok(after.every((id) => !gone.has(id)));
    assert.deepEqual(after.slice(0, 5), before.slice(5));

    // A vector replaced after the copy is searched with its new value.
    const moved = after[9]!;
    store().put(moved, query);
    assert.equal(store().nearest(query, 1)[0]!.chunkId, moved);
  } finally {
    library.close();
  }
});

const signsOfStored = db.prepare('SELECT vec_quantize_binary(vec_int8(substr(?, 5)))').pluck();

test('stored int8 vectors keep every sign of the float ones (tiny, zero and negative zero components too) and their values to within half a step', () => {
  const random = seeded(41);
  for (const dims of [128, 384]) {
    for (let i = 0; i < 50; i++) {
      const v = unitRandom(random, dims);
      // Components far below one int8 step of this vector, of either sign, and zeros.
      for (let d = 0; d < dims; d += 7) v[d] = [1e-7, -1e-7, 0, -0, 1e-30][d % 5]!;
      const stored = quantize(v);
      assert.equal(stored.byteLength, 4 + dims);
      const bits = signsOf(v);
      assert.deepEqual(signsOfStored.get(stored), bits, 'the int8 values have the float signs');
      const back = dequantize(stored);
      const step = Math.max(...v.map(Math.abs)) / 127;
      // About half a step off at most (the scale keeps the length), except a positive component
      // under half a step: one step, to keep its sign.
      back.forEach((x, d) => {
        const expected = v[d]! > 0 && v[d]! < step / 2 ? step : v[d]!;
        assert.ok(Math.abs(x - expected) <= step * 0.6, `component ${d}: ${x} for ${v[d]}`);
      });
      assert.ok(Math.abs(Math.hypot(...back) - Math.hypot(...v)) < 1e-6, 'the length is kept');
      assert.ok(Math.abs(exactDot(back, v) / exactDot(v, v) - 1) < 1e-3);
    }
  }
  const zero = quantize(new Float32Array(64));
  assert.deepEqual([...dequantize(zero)], new Array(64).fill(0));
  assert.deepEqual(signsOfStored.get(zero), signsOf(new Float32Array(64)));
});

test('vectors are stored as int8 (a quarter of the floats), copied byte for byte with their sign bits, and searched by cosine with and without a bit index', async () => {
  const path = join(tempDir('cairn-vectors-'), 'library.db');
  const library = Library.open(path);
  try {
    const random = seeded(53);
    const source = library.sources.ensure('import', '/d', 'd');
    const chunk = (documentPath: string) => {
      const doc = library.documents.upsert(docInput(source.id, documentPath));
      return library.documents.insertChunks(doc, [{ text: 'x', start: 0, end: 1, page: null, headingPath: [], tokenCount: 1, ftsTitle: '', ftsBody: 'x' }])[0]!;
    };
    for (const dims of [384, 64]) { // 64: no bit index, an exhaustive scan
      const model = library.models.register(`test:${dims}`, { type: 'test' }, dims, 'active');
      const store = () => library.models.store(model);
      const floats = new Map<number, Float32Array>();
      library.transaction(() => {
        for (let i = 0; i < 500; i++) {
          const id = chunk(`/d/${dims}/${i}.txt`);
          const v = unitRandom(random, dims);
          store().put(id, v);
          floats.set(id, v);
        }
      });
      const row = library.db.prepare(`SELECT embedding FROM vectors_${model.id} WHERE chunk_id = ?`).pluck();
      const [first] = floats.keys();
      assert.equal((row.get(first) as Buffer).byteLength, 4 + dims);

      // A copy is the same bytes (and, with a bit index, the same bits: those of the float vector).
      const copied = chunk(`/d/${dims}/copy.txt`);
      assert.ok(store().copy(first!, copied));
      assert.deepEqual(row.get(copied), row.get(first));
      assert.equal(store().copy(-1, copied), false);
      if (dims === 384) {
        const bits = library.db.prepare(`SELECT embedding FROM vector_bits_${model.id} WHERE rowid = ?`).pluck();
        assert.deepEqual(bits.get(copied), signsOf(floats.get(first!)!));
        assert.deepEqual(bits.get(first), signsOf(floats.get(first!)!));
      }
      floats.set(copied, floats.get(first!)!);

      // The nearest by the floats' cosine, with scores near it (1e-3 at 384-d; int8 steps are
      // coarser in fewer dimensions): before the copy in memory is made (read from SQLite), and after.
      const query = unitRandom(random, dims);
      const exact = [...floats].map(([id, v]) => ({ id, similarity: exactDot(query, v) })).sort((a, b) => b.similarity - a.similarity);
      const check = (hits: { chunkId: number; distance: number }[]) => {
        assert.equal(hits.length, 10);
        assert.ok(hits.filter((h) => exact.slice(0, 10).some((e) => e.id === h.chunkId)).length >= 9);
        for (const hit of hits) assert.ok(Math.abs(1 - hit.distance - exactDot(query, floats.get(hit.chunkId)!)) < (dims >= 128 ? 1e-3 : 3e-3), `${dims}: ${1 - hit.distance} for ${exactDot(query, floats.get(hit.chunkId)!)}`);
      };
      check(store().nearest(query, 10));
      await store().warmed();
      check(store().nearest(query, 10));
      // Its own vector is a chunk's nearest; a filter restricts the scan.
      assert.equal(store().nearest(floats.get(first!)!, 2).map((h) => h.chunkId).sort((a, b) => a - b).join(), [first, copied].sort((a, b) => a! - b!).join());
      const only = store().nearest(query, 10, { sql: 'd.path = ?', params: [`/d/${dims}/7.txt`] });
      assert.equal(only.length, 1);
    }
  } finally {
    library.close();
  }
});
