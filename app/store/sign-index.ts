// The first pass of vector search: every vector's sign bits in memory, scanned by hamming
// distance. The bits are the ones sqlite-vec stores (vec_quantize_binary: bit d set when
// component d is positive), so the index is a cache of the `vector_bits_N` table, rebuilt from it
// at will. Why not sqlite-vec's own KNN over that table: its cost grows with k (measured over
// 100,000 384-d vectors here: 2.7 ms for k = 10, 25 ms for 200, 57 ms for 400), and a good
// re-rank needs a few hundred candidates. This scan costs the same for any k.
//
// The distances come from WebAssembly with SIMD popcount (wasm/hamming.wat): about ten times
// the speed of popcount in JavaScript, which remains where WebAssembly SIMD is missing. At a
// million 384-d vectors the scan reads 48 MB (about 4.5 ms, as fast as memory gives it); the
// nearest are then picked without another pass over every distance in JavaScript (a histogram of
// them all and a pass to pick took 2.7 ms more): a sample's histogram tells a distance within
// which a few more than wanted lie, WebAssembly lists the slots within it (eight distances at a
// time), and the exact selection is made among those. The bits live in the WebAssembly memory:
// [query][vector 0][vector 1]...[distances, 16 bits each][listed slots], each vector padded with
// zeros to whole 16-byte groups.

/** wasm/hamming.wat compiled (by wasm/compile-hamming.ts, with wabt 1.0.39). */
const HAMMING_WASM = 'AGFzbQEAAAABEQJgBX9/f39/AGAEf39/fwF/AwMCAAEFAwEAAQcfAwZtZW1vcnkCAAlkaXN0YW5jZXMAAAZ3aXRoaW4AAQqxAgKfAQMCfwJ7AX8gAkEEdCEJIAQgAUEBdGohBQJAA0AgBCAFTw0B/QwAAAAAAAAAAAAAAAAAAAAAIQdBACEGA0AgByAAIAZq/QAEACADIAZq/QAEAP1R/WL9biEHIAZBEGohBiAGIAlJDQALIAf9ff1/IQggBCAI/RsAIAj9GwFqIAj9GwIgCP0bA2pqOwEAIAAgCWohACAEQQJqIQQMAAsLC40BAwJ/AXsBfyADIQcgAkEBav0QIQYCQANAIAQgAU8NASAAIARBAXRq/QAEACAG/TD9UwRAIARBCGohBSAFIAFLBEAgASEFCwNAIAAgBEEBdGovAQAgAk0EQCADIAQ2AgAgA0EEaiEDCyAEQQFqIQQgBCAFSQ0ACwwBCyAEQQhqIQQMAAsLIAMgB2tBAnYL';
/** Every how many distances one is sampled to choose a distance to list the slots within. */
const SAMPLE = 16;
/** More than wanted that the sampled distance aims to hold: a sample of 1/16 is off by some. */
const SLACK = 256;
/** Groups a vector may have for the WebAssembly scan (its byte lanes count to 255). */
const MAX_WASM_GROUPS = 31;

type Distances = (vectors: number, count: number, groups: number, query: number, out: number) => void;
type Within = (distances: number, count: number, limit: number, out: number) => number;

let hammingModule: WebAssembly.Module | null | undefined;
function wasmModule(): WebAssembly.Module | null {
  if (hammingModule === undefined) {
    try {
      hammingModule = new WebAssembly.Module(Buffer.from(HAMMING_WASM, 'base64'));
    } catch {
      hammingModule = null; // no WebAssembly SIMD here
    }
  }
  return hammingModule;
}

export class SignIndex {
  /** Bytes of sign bits a vector has, and what it takes padded to whole 16-byte groups. */
  private readonly bytes: number;
  private readonly stride: number;
  private readonly wasm: { memory: WebAssembly.Memory; distances: Distances; within: Within } | null;
  /** The memory holding query, vectors and distances (the WebAssembly memory's, or a plain one). */
  private buffer: ArrayBuffer;
  private ids = new Float64Array(0);
  private size = 0;
  /** Slot of each id: made when first needed (a search after a bulk load never needs it). */
  private slotMap: Map<number, number> | null = new Map();

  constructor(dimensions: number, options: { wasm?: boolean } = {}) {
    this.bytes = Math.ceil(dimensions / 8);
    this.stride = Math.ceil(this.bytes / 16) * 16;
    const module = options.wasm !== false && this.stride / 16 <= MAX_WASM_GROUPS ? wasmModule() : null;
    if (module) {
      const instance = new WebAssembly.Instance(module);
      const memory = instance.exports.memory as WebAssembly.Memory;
      this.wasm = { memory, distances: instance.exports.distances as Distances, within: instance.exports.within as Within };
      this.buffer = memory.buffer;
    } else {
      this.wasm = null;
      this.buffer = new ArrayBuffer(0);
    }
    this.reserve(0);
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

  /** Where a slot's bits start in the buffer (the query comes first). */
  private offset(slot: number): number {
    return (slot + 1) * this.stride;
  }

  /** Adds or replaces the bits of `id` (a blob of vec_quantize_binary). */
  set(id: number, bits: Uint8Array): void {
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.size;
      this.reserve(slot + 1);
      this.size++;
      this.slots.set(id, slot);
      this.ids[slot] = id;
    }
    const target = new Uint8Array(this.buffer, this.offset(slot), this.stride);
    target.fill(0);
    target.set(bits.subarray(0, this.bytes));
  }

  /**
   * Adds many new ids at once: `bits` holds their bits one after another (whole bytes each), as
   * sqlite-vec stores a block of vectors. Each id must not be in the index yet.
   */
  addMany(ids: ArrayLike<number>, bits: Uint8Array): void {
    const first = this.size;
    this.reserve(first + ids.length);
    for (let i = 0; i < ids.length; i++) this.ids[first + i] = ids[i]!;
    this.size += ids.length;
    this.slotMap = null;
    const target = new Uint8Array(this.buffer, this.offset(first), ids.length * this.stride);
    if (this.bytes === this.stride) {
      target.set(bits.subarray(0, ids.length * this.bytes));
    } else {
      target.fill(0);
      for (let i = 0; i < ids.length; i++) target.set(bits.subarray(i * this.bytes, (i + 1) * this.bytes), i * this.stride);
    }
  }

  /** Forgets `id` (its vector is gone): the last slot moves into its place. */
  delete(id: number): void {
    const slot = this.slots.get(id);
    if (slot === undefined) return;
    const last = --this.size;
    if (slot !== last) {
      const lastId = this.ids[last]!;
      new Uint8Array(this.buffer).copyWithin(this.offset(slot), this.offset(last), this.offset(last + 1));
      this.ids[slot] = lastId;
      this.slots.set(lastId, slot);
    }
    this.slots.delete(id);
  }

  /**
   * The ids of the `count` vectors nearest to `query` by hamming distance (ties in slot order),
   * among those `allowed` accepts when given; when fewer are allowed, every allowed one.
   * `allowed` is a test, or the list of the allowed ids when they are few: then only their
   * distances are reckoned (ids without a vector here are passed over).
   */
  nearest(query: Uint8Array, count: number, allowed?: ((id: number) => boolean) | readonly number[]): number[] {
    const { size, ids } = this;
    const queryBytes = new Uint8Array(this.buffer, 0, this.stride);
    queryBytes.fill(0);
    queryBytes.set(query.subarray(0, this.bytes));
    const never = this.stride * 8 + 1;
    const layout = this.layout();
    const distances = new Uint16Array(this.buffer, layout.distances, size);
    if (typeof allowed === 'object') return this.select(distances, this.distancesOf(allowed, distances), count, never);
    if (this.wasm) this.wasm.distances(this.offset(0), size, this.stride / 16, 0, layout.distances);
    else this.scan(distances);

    // A distance within which at least `count` (allowed) lie, from every SAMPLE-th distance (with
    // room for the sample's error); wider until it holds them. Then the exact cutoff among those.
    // `allowed` is asked only of the sample and of the slots listed, not of every slot: a filter
    // costs what it lets through, not a call per vector.
    const sample = new Uint32Array(never + 1);
    for (let slot = 0; slot < size; slot += SAMPLE) if (!allowed || allowed(ids[slot]!)) sample[distances[slot]!]!++;
    const expected = (count + SLACK) / SAMPLE;
    let limit = 0;
    for (let seen = sample[0]!; limit < never && seen < expected; ) seen += sample[++limit]!;
    const listed = (limit: number) => {
      const slots = this.within(distances, limit);
      if (!allowed) return slots;
      let kept = 0;
      for (let i = 0; i < slots.length; i++) if (allowed(ids[slots[i]!]!)) slots[kept++] = slots[i]!;
      return slots.subarray(0, kept);
    };
    let slots = listed(limit);
    for (let wider = 1; slots.length < count && limit < never; wider *= 2) {
      limit = Math.min(never, limit + wider);
      slots = listed(limit);
    }
    return this.select(distances, slots, count, never);
  }

  /** The ids of the `count` nearest of `slots` (ascending), ties in slot order. */
  private select(distances: Uint16Array, slots: Uint32Array, count: number, never: number): number[] {
    const { ids } = this;
    const histogram = new Uint32Array(never + 1);
    for (const slot of slots) histogram[distances[slot]!]!++;
    let cutoff = 0;
    let below = 0;
    while (cutoff < never && below + histogram[cutoff]! < count) below += histogram[cutoff++]!;
    let atCutoff = cutoff === never ? 0 : count - below;
    const out: number[] = [];
    for (const slot of slots) {
      const distance = distances[slot]!;
      if (distance > cutoff) continue;
      if (distance < cutoff || atCutoff-- > 0) out.push(ids[slot]!);
    }
    return out;
  }

  /** The slots whose distance is at most `limit`, in order. */
  private within(distances: Uint16Array, limit: number): Uint32Array {
    const layout = this.layout();
    if (this.wasm) return new Uint32Array(this.buffer, layout.listed, this.wasm.within(layout.distances, this.size, limit, layout.listed)).slice();
    const slots: number[] = [];
    for (let slot = 0; slot < this.size; slot++) if (distances[slot]! <= limit) slots.push(slot);
    return Uint32Array.from(slots);
  }

  /** The slots of `allowed` (ascending), their distances to the query written into `distances`. */
  private distancesOf(allowed: readonly number[], distances: Uint16Array): Uint32Array {
    const slots = new Uint32Array(allowed.length);
    let n = 0;
    for (const id of allowed) {
      const slot = this.slots.get(id);
      if (slot !== undefined) slots[n++] = slot;
    }
    const listed = slots.subarray(0, n).sort();
    const words = this.words();
    for (const slot of listed) distances[slot] = hamming(words, this.stride / 4, slot);
    return listed;
  }

  /** The distances in JavaScript (no WebAssembly SIMD). */
  private scan(distances: Uint16Array): void {
    const words = this.words();
    for (let slot = 0; slot < this.size; slot++) distances[slot] = hamming(words, this.stride / 4, slot);
  }

  /** The query's bits (first) and every slot's, as 32-bit words. */
  private words(): Uint32Array {
    return new Uint32Array(this.buffer, 0, this.offset(this.size) / 4);
  }

  /** Where the distances and the listed slots lie, after the bits (by capacity). */
  private layout(capacity = this.ids.length): { distances: number; listed: number; end: number } {
    const distances = this.offset(capacity);
    // At least 16 bytes between: `within` reads distances eight at a time, past the last one.
    const listed = distances + Math.ceil((capacity * 2) / 16) * 16 + 16;
    return { distances, listed, end: listed + capacity * 4 };
  }

  /** Makes room for `slots` vectors (and as many distances). */
  private reserve(slots: number): void {
    if (slots <= this.ids.length && this.ids.length > 0) return;
    const capacity = Math.max(1024, slots, this.ids.length * 2);
    const needed = this.layout(capacity).end;
    if (this.wasm) {
      const { memory } = this.wasm;
      if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65_536));
      this.buffer = memory.buffer;
    } else {
      const buffer = new ArrayBuffer(needed);
      new Uint8Array(buffer).set(new Uint8Array(this.buffer, 0, Math.min(this.buffer.byteLength, needed)));
      this.buffer = buffer;
    }
    const ids = new Float64Array(capacity);
    ids.set(this.ids.subarray(0, this.size));
    this.ids = ids;
  }
}

/** A vector's sign bits as vec_quantize_binary makes them: bit d (low bit first) set when component d is positive. */
export function signBits(vector: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(Math.ceil(vector.length / 8));
  for (let d = 0; d < vector.length; d++) if (vector[d]! > 0) out[d >> 3]! |= 1 << (d & 7);
  return out;
}

/** The hamming distance between a slot's bits and the query's, `stride` words each (the query's first). */
function hamming(words: Uint32Array, stride: number, slot: number): number {
  let distance = 0;
  const base = (slot + 1) * stride;
  for (let w = 0; w < stride; w++) distance += popcount(words[base + w]! ^ words[w]!);
  return distance;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
