// How vectors are stored: each one int8 with its own scale, a quarter of the float size (388
// bytes for 384 dimensions: about ten rows a 4 KB page, 0.4 GB for a million), in `vectors_N`
// and, as the same bytes, in memory for re-ranking (QuantizedVectors). Cosine similarity from
// int8 differs from the float one by about 1e-4 for unit vectors of a few hundred dimensions: far
// below the gaps ranking decides on.
//
// A stored vector: its scale (float32, little-endian: the factor from int8 back to the vector),
// then one int8 a component, the largest ±127. The scale keeps the vector's length, so a unit
// vector stays one and its dot product with the query stays a cosine (near duplicates are told
// apart by direction, not by rounding of their length). A positive component never rounds to 0
// (it becomes 1), so the int8 values keep every sign the float vector had: its sign bits
// (vec_quantize_binary) can be made again from the stored vector alone.

/** Bytes before the int8 values: the scale. */
const SCALE_BYTES = 4;

/** Bytes a stored vector of `dimensions` takes. */
export function storedBytes(dimensions: number): number {
  return SCALE_BYTES + dimensions;
}

/** The stored form of `vector` (see above). */
export function quantize(vector: ArrayLike<number>): Buffer {
  const dimensions = vector.length;
  let largest = 0;
  let length = 0;
  for (let d = 0; d < dimensions; d++) {
    largest = Math.max(largest, Math.abs(vector[d]!));
    length += vector[d]! * vector[d]!;
  }
  const blob = Buffer.alloc(storedBytes(dimensions));
  if (largest === 0) return blob; // scale 0, all zeros
  const step = largest / 127;
  let stored = 0;
  for (let d = 0; d < dimensions; d++) {
    const value = vector[d]!;
    const int8 = value > 0 ? Math.max(1, Math.round(value / step)) : Math.round(value / step) || 0;
    blob.writeInt8(int8, SCALE_BYTES + d);
    stored += int8 * int8;
  }
  blob.writeFloatLE(Math.sqrt(length / stored), 0);
  return blob;
}

/** The vector a stored one stands for. */
export function dequantize(blob: Uint8Array): Float32Array {
  const scale = storedScale(blob);
  return Float32Array.from(storedComponents(blob), (value) => value * scale);
}

/** The int8 values of a stored vector (a view of its bytes). */
export function storedComponents(blob: Uint8Array): Int8Array {
  return new Int8Array(blob.buffer, blob.byteOffset + SCALE_BYTES, blob.byteLength - SCALE_BYTES);
}

/** The factor from a stored vector's int8 values back to the vector. */
function storedScale(blob: Uint8Array): number {
  return new DataView(blob.buffer, blob.byteOffset, SCALE_BYTES).getFloat32(0, true);
}

/** The dot product of `query` with a stored vector: as QuantizedVectors.dot. */
export function storedDot(query: Float32Array, blob: Uint8Array): number {
  const values = storedComponents(blob);
  let sum = 0;
  for (let d = 0; d < query.length; d++) sum += query[d]! * values[d]!;
  return sum * storedScale(blob);
}

/** Cosine distance between `query` and a stored vector, as sqlite-vec's vec_distance_cosine: 1 when either has no length. */
export function cosineDistance(query: Float32Array, blob: Uint8Array): number {
  const values = storedComponents(blob);
  let dot = 0;
  let norm = 0;
  let queryNorm = 0;
  for (let d = 0; d < query.length; d++) {
    const value = values[d]!;
    dot += query[d]! * value;
    norm += value * value;
    queryNorm += query[d]! * query[d]!;
  }
  // The scale cancels out of the cosine.
  return norm && queryNorm ? 1 - dot / Math.sqrt(norm * queryNorm) : 1;
}

/**
 * The stored vectors of a model in memory, for re-ranking the few hundred candidates of the
 * sign-bit pass without reading SQLite rows: 38 MB for 100,000 384-d vectors. A cache of
 * `vectors_N` like SignIndex is of the bits: the same bytes, rebuilt from it at will.
 */
export class QuantizedVectors {
  private readonly dimensions: number;
  private values = new Int8Array(0);
  /** Per slot: the factor from int8 back to the vector's scale, and its chunk id. */
  private scales = new Float32Array(0);
  private ids = new Float64Array(0);
  private size = 0;
  private readonly slots = new Map<number, number>();

  constructor(dimensions: number) {
    this.dimensions = dimensions;
  }

  get count(): number {
    return this.size;
  }

  has(id: number): boolean {
    return this.slots.has(id);
  }

  /** Adds or replaces the vector of `id` from its stored form (see quantize). */
  set(id: number, stored: Uint8Array): void {
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.size++;
      this.reserve(this.size);
      this.slots.set(id, slot);
      this.ids[slot] = id;
    }
    this.scales[slot] = storedScale(stored);
    this.values.set(storedComponents(stored).subarray(0, this.dimensions), slot * this.dimensions);
  }

  /** Forgets `id`: the last slot moves into its place. */
  delete(id: number): void {
    const slot = this.slots.get(id);
    if (slot === undefined) return;
    this.slots.delete(id);
    const last = --this.size;
    if (slot === last) return;
    const lastId = this.ids[last]!;
    const { dimensions } = this;
    this.values.copyWithin(slot * dimensions, last * dimensions, (last + 1) * dimensions);
    this.scales[slot] = this.scales[last]!;
    this.ids[slot] = lastId;
    this.slots.set(lastId, slot);
  }

  /** The dot product of `query` with the vector of `id` (its cosine similarity, both being unit length), or undefined when absent. */
  dot(query: Float32Array, id: number): number | undefined {
    const slot = this.slots.get(id);
    if (slot === undefined) return undefined;
    // The loop is written out here and in storedDot: one shared function measured slower on this hot path.
    const { values, dimensions } = this;
    const at = slot * dimensions;
    let sum = 0;
    for (let d = 0; d < dimensions; d++) sum += query[d]! * values[at + d]!;
    return sum * this.scales[slot]!;
  }

  private reserve(slots: number): void {
    if (slots <= this.scales.length) return;
    const capacity = Math.max(1024, slots, Math.ceil(this.scales.length * 1.5));
    const values = new Int8Array(capacity * this.dimensions);
    values.set(this.values);
    const scales = new Float32Array(capacity);
    scales.set(this.scales);
    const ids = new Float64Array(capacity);
    ids.set(this.ids);
    [this.values, this.scales, this.ids] = [values, scales, ids];
  }
}
