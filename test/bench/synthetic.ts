// Deterministic bench data: realistic-ish text (sentences of the SciFact abstracts when the shared
// eval data is there, else words from a generated vocabulary with a Zipf-like spread) and
// clustered unit vectors, so that BM25 and KNN both have real work to do.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evalDir } from '../support/shared.ts';

/** mulberry32: small, fast, good enough for bench data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample (Box–Muller). */
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function normalized(v: Float32Array): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < v.length; i++) v[i]! *= scale;
  return v;
}

const scifactDir = join(evalDir, 'scifact');

export class TextSource {
  readonly origin: string;
  private readonly sentences: string[];
  private readonly queryTexts: string[];
  private readonly random: () => number;

  constructor(seed = 1) {
    this.random = seededRandom(seed);
    if (existsSync(join(scifactDir, 'corpus.jsonl')) && existsSync(join(scifactDir, 'queries.jsonl'))) {
      this.origin = `SciFact sentences (${scifactDir})`;
      this.sentences = readFileSync(join(scifactDir, 'corpus.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .flatMap((l) => (JSON.parse(l) as { text: string }).text.split(/(?<=[.!?])\s+(?=[A-Z0-9])/))
        .filter((s) => s.length > 20);
      this.queryTexts = readFileSync(join(scifactDir, 'queries.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => (JSON.parse(l) as { text: string }).text);
    } else {
      this.origin = 'generated vocabulary (SciFact not found; set CAIRN_EVAL_DIR)';
      const words = generatedVocabulary(this.random, 20_000);
      // Zipf-like: low word indices are much more frequent, as in real text.
      const word = () => words[Math.floor(words.length * this.random() ** 3)]!;
      const sentence = () => {
        const n = 8 + Math.floor(this.random() * 20);
        const s = Array.from({ length: n }, word).join(' ');
        return s[0]!.toUpperCase() + s.slice(1) + '.';
      };
      this.sentences = Array.from({ length: 50_000 }, sentence);
      this.queryTexts = Array.from({ length: 1_000 }, () => sentence().slice(0, 80));
    }
  }

  sentence(): string {
    return this.sentences[Math.floor(this.random() * this.sentences.length)]!;
  }

  /** A paragraph of about `chars` characters (whole sentences). */
  paragraph(chars: number): string {
    const out: string[] = [];
    let length = 0;
    while (length < chars) {
      const s = this.sentence();
      out.push(s);
      length += s.length + 1;
    }
    return out.join(' ');
  }

  /** A short title: the first few words of a sentence. */
  title(): string {
    return this.sentence().split(/\s+/).slice(0, 6).join(' ').replace(/[.,;:]+$/, '');
  }

  queries(n: number): string[] {
    return Array.from({ length: n }, (_, i) => this.queryTexts[i % this.queryTexts.length]!);
  }
}

function generatedVocabulary(random: () => number, size: number): string[] {
  const syllables = 'ka ri to mu se lo pe na vi do gu re ta mi so ne ha ru ki po'.split(' ');
  const words = new Set<string>();
  while (words.size < size) {
    const n = 2 + Math.floor(random() * 3);
    words.add(Array.from({ length: n }, () => syllables[Math.floor(random() * syllables.length)]).join(''));
  }
  return [...words];
}

/**
 * Embedding-like unit vectors: points around `clusters` topic centres in a latent space of a few
 * dozen dimensions, mapped into `dimensions` by a fixed random linear map (plus a little noise).
 * Real sentence embeddings also live near a low-dimensional set, which gives every query a
 * continuum of neighbours; isotropic 384-d clusters would instead put a few neighbours far ahead
 * of all the rest and flatter any approximate search.
 */
export class ClusteredVectors {
  readonly dimensions: number;
  private readonly latent: number;
  private readonly centres: Float32Array[];
  private readonly map: Float32Array[];
  private readonly random: () => number;

  constructor(dimensions: number, options: { clusters: number; latentDimensions: number; seed: number }) {
    this.dimensions = dimensions;
    this.latent = options.latentDimensions;
    this.random = seededRandom(options.seed);
    const unit = (n: number) => normalized(Float32Array.from({ length: n }, () => gaussian(this.random)));
    this.centres = Array.from({ length: options.clusters }, () => unit(this.latent));
    this.map = Array.from({ length: dimensions }, () => Float32Array.from({ length: this.latent }, () => gaussian(this.random)));
  }

  /** A latent point near a random topic centre: noise of total norm about `spread`. */
  topicPoint(spread: number): Float32Array {
    return this.near(this.centres[Math.floor(this.random() * this.centres.length)]!, spread);
  }

  /** A latent point around `centre`, noise of total norm about `spread`. */
  near(centre: Float32Array, spread: number): Float32Array {
    const sigma = spread / Math.sqrt(this.latent);
    return normalized(Float32Array.from(centre, (x) => x + sigma * gaussian(this.random)));
  }

  /** The unit vector of a latent point. */
  embed(point: Float32Array): Float32Array {
    const noise = 0.1 / Math.sqrt(this.dimensions);
    return normalized(Float32Array.from(this.map, (row) => {
      let sum = 0;
      for (let j = 0; j < row.length; j++) sum += row[j]! * point[j]!;
      return sum / Math.sqrt(this.latent) + noise * gaussian(this.random);
    }));
  }
}
