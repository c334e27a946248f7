// The first pass of vector search: every vector's sign bits in memory, scanned by hamming
// distance. The bits are the ones sqlite-vec stores (vec_quantize_binary: bit d set when
// component d is positive), so the index is a cache of the `vector_bits_N` table, rebuilt from it
// at will. Why not sqlite-vec's own KNN over that table: its cost grows with k (measured over
// 100,000 384-d vectors here: 2.7 ms for k = 10, 25 ms for 200, 57 ms for 400), and a good
// re-rank needs a few hundred candidates. This scan costs the same for any k: a few ms per 100k.

export class SignIndex {
  /** 32-bit words per vector (the bits padded to whole words). */
  private readonly stride: number;
  private readonly bytes: number;
  private words = new Uint32Array(0);
  private ids = new Float64Array(0);
  private size = 0;
  /** Slot of each id: made when first needed (a search after a bulk load never needs it). */
  private slotMap: Map<number, number> | null = new Map();

  constructor(dimensions: number) {
    this.bytes = Math.ceil(dimensions / 8);
    this.stride = Math.ceil(this.bytes / 4);
  }

  get count(): number {
    return this.size;
  }

  private get slots(): Map<number, number> {
    if (!this.slotMap) {
      this.slotMap = new Map();
      for (let slot = 0; slot < this.size; slot++) this.slotMap.set(this.ids[slot]!, slot);
    }
    return this.slotMap;
  }

  /** Adds or replaces the bits of `id` (a blob of vec_quantize_binary). */
  set(id: number, bits: Uint8Array): void {
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.size++;
      if (slot === this.ids.length) this.grow();
      this.slots.set(id, slot);
      this.ids[slot] = id;
    }
    const target = new Uint8Array(this.words.buffer, slot * this.stride * 4, this.stride * 4);
    target.fill(0);
    target.set(bits.subarray(0, this.bytes));
  }

  /**
   * Adds many new ids at once: `bits` holds their bits one after another (whole bytes each), as
   * sqlite-vec stores a block of vectors. Each id must not be in the index yet.
   */
  addMany(ids: ArrayLike<number>, bits: Uint8Array): void {
    const first = this.size;
    while (this.ids.length < first + ids.length) this.grow();
    for (let i = 0; i < ids.length; i++) this.ids[first + i] = ids[i]!;
    this.size += ids.length;
    this.slotMap = null;
    const target = new Uint8Array(this.words.buffer, first * this.stride * 4, ids.length * this.stride * 4);
    if (this.bytes === this.stride * 4) {
      target.set(bits.subarray(0, ids.length * this.bytes));
    } else {
      for (let i = 0; i < ids.length; i++) target.set(bits.subarray(i * this.bytes, (i + 1) * this.bytes), i * this.stride * 4);
    }
  }

  /** Forgets `id` (its vector is gone): the last slot moves into its place. */
  delete(id: number): void {
    const slot = this.slots.get(id);
    if (slot === undefined) return;
    const last = --this.size;
    if (slot !== last) {
      const lastId = this.ids[last]!;
      this.words.copyWithin(slot * this.stride, last * this.stride, (last + 1) * this.stride);
      this.ids[slot] = lastId;
      this.slots.set(lastId, slot);
    }
    this.slots.delete(id);
  }

  /**
   * The ids of the `count` vectors nearest to `query` by hamming distance (ties in slot order),
   * among those `allowed` accepts when given. Selection by a histogram of the distances, which
   * are small integers: linear in the index size, whatever `count` is.
   */
  nearest(query: Uint8Array, count: number, allowed?: (id: number) => boolean): number[] {
    const q = new Uint32Array(this.stride);
    new Uint8Array(q.buffer).set(query.subarray(0, this.bytes));
    const { words, stride, size } = this;
    const distances = new Uint16Array(size);
    const histogram = new Uint32Array(stride * 32 + 2);
    for (let slot = 0; slot < size; slot++) {
      if (allowed && !allowed(this.ids[slot]!)) {
        distances[slot] = histogram.length - 1; // the `never` distance
        continue;
      }
      let distance = 0;
      const base = slot * stride;
      for (let w = 0; w < stride; w++) distance += popcount(words[base + w]! ^ q[w]!);
      distances[slot] = distance;
      histogram[distance]!++;
    }
    // The distance at which the best `count` are complete, and how many at it still fit; when
    // fewer than `count` are allowed, every allowed one.
    const never = histogram.length - 1;
    let cutoff = 0;
    let below = 0;
    while (cutoff < never && below + histogram[cutoff]! < count) below += histogram[cutoff++]!;
    let atCutoff = cutoff === never ? 0 : count - below;
    const out: number[] = [];
    for (let slot = 0; slot < size; slot++) {
      const distance = distances[slot]!;
      if (distance < cutoff || (distance === cutoff && atCutoff-- > 0)) out.push(this.ids[slot]!);
    }
    return out;
  }

  private grow(): void {
    const capacity = Math.max(1024, this.ids.length * 2);
    const ids = new Float64Array(capacity);
    ids.set(this.ids);
    const words = new Uint32Array(capacity * this.stride);
    words.set(this.words);
    this.ids = ids;
    this.words = words;
  }
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
