// Prints hamming.wat compiled to WebAssembly, as base64 for sign-index.ts's HAMMING_WASM. wabt is
// not a dependency of Cairn: `npm install --no-save --prefix /tmp/wabt wabt@1.0.39`, then
// `WABT=/tmp/wabt/node_modules/wabt node app/store/wasm/compile-hamming.ts`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

type Wabt = { parseWat(name: string, source: string, features: Record<string, boolean>): { toBinary(options: object): { buffer: Uint8Array } } };
const load = createRequire(import.meta.url)(process.env.WABT ?? 'wabt') as () => Promise<Wabt>;
const wabt = await load();
const source = readFileSync(join(import.meta.dirname, 'hamming.wat'), 'utf8');
const { buffer } = wabt.parseWat('hamming.wat', source, { simd: true }).toBinary({});
console.log(Buffer.from(buffer).toString('base64'));
