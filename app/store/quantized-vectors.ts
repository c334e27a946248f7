// The vectors vector search re-ranks with, in memory: each one int8 with its own scale (a
// quarter of the float size: 38 MB for 100,000 384-d vectors), so that re-ranking a few hundred
// candidates of the sign-bit pass reads no SQLite rows. A cache of `vectors_N` like SignIndex is
// of the bits: rebuilt from it at will. Cosine similarity from int8 differs from the float one
// by about 1e-4 for unit vectors of a few hundred dimensions: far below the gaps re-ranking
// decides on.

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

  /** Adds or replaces the vector of `id`. */
  set(id: number, vector: ArrayLike<number>): void {
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.size++;
      this.reserve(this.size);
      this.slots.set(id, slot);
      this.ids[slot] = id;
    }
    const { dimensions } = this;
    let largest = 0;
    for (let d = 0; d < dimensions; d++) largest = Math.max(largest, Math.abs(vector[d]!));
    const scale = largest / 127;
    this.scales[slot] = scale;
    const at = slot * dimensions;
    for (let d = 0; d < dimensions; d++) this.values[at + d] = scale ? Math.round(vector[d]! / scale) : 0;
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
