// `npm run build`: plain JavaScript for running without TypeScript type stripping (the packaged
// app). esbuild bundles the engine process (dist/engine.js), the CLI (dist/cairn.js) and the
// workers as ES modules, with every npm package left external (native modules must load from
// node_modules, unpacked in the app); the Electron main process (dist/main.cjs) and the preload
// (dist/preload.cjs) as CommonJS; Vite builds the React renderer into dist/renderer.
//
// Main is CommonJS because Electron loads an ES-module main asynchronously, so that its own code
// may run after the app is ready, too late for what must come before (the sandbox for every
// renderer, the app:// scheme's privileges); a sandboxed preload cannot be an ES module at all,
// and has everything but electron inside it.
//
// Run from source, code finds files next to itself with import.meta.dirname and starts workers
// from `new URL('./x.ts', import.meta.url)`: the bundle rewrites both so that they still point at
// the same places from dist/.
import { readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';

export const ROOT = import.meta.dirname;

/** Source entries and the files they become in dist/. */
const ENTRIES: Record<string, string> = {
  engine: 'app/service/engine-entry.ts',
  cairn: 'app/cli/main.ts',
  'extract-worker': 'app/extract/worker.ts',
  'ocr-worker': 'app/ocr/worker.ts',
  'tesseract-worker': 'app/ocr/tesseract-worker.ts',
  'keyword-worker': 'app/search/keyword-worker.ts',
};

/** Workers started by URL from source, and their bundles. */
const WORKERS: Record<string, string> = {
  'app/extract/worker.ts': 'extract-worker.js',
  'app/ocr/worker.ts': 'ocr-worker.js',
  'app/ocr/tesseract-worker.ts': 'tesseract-worker.js',
  'app/search/keyword-worker.ts': 'keyword-worker.js',
};

function sourcePaths(root: string, outDir: string): Plugin {
  return {
    name: 'cairn-source-paths',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes(`${join('node_modules', '')}`)) return undefined;
        let text = readFileSync(args.path, 'utf8');
        const fromOut = relative(outDir, dirname(args.path)).split('\\').join('/') || '.';
        text = text.replaceAll('import.meta.dirname', `__cairnDir(${JSON.stringify(fromOut)})`);
        text = text.replace(/new URL\((['"])(\.\.?\/[^'"]+\.ts)\1, import\.meta\.url\)/g, (_all, _quote: string, target: string) => {
          const source = relative(root, resolve(dirname(args.path), target)).split('\\').join('/');
          const bundle = WORKERS[source];
          if (!bundle) throw new Error(`${relative(root, args.path)} starts ${target} by URL: add it to WORKERS in build.ts`);
          return `new URL(${JSON.stringify(`./${bundle}`)}, import.meta.url)`;
        });
        return { contents: text, loader: 'ts' };
      });
    },
  };
}

const BANNER = [
  "import { fileURLToPath as __cairnFileURLToPath } from 'node:url';",
  "import { dirname as __cairnDirname, join as __cairnJoin } from 'node:path';",
  'const __cairnDir = (relative) => __cairnJoin(__cairnDirname(__cairnFileURLToPath(import.meta.url)), relative);',
].join('\n');

/** The Electron side, as CommonJS: main on Electron's Node (npm packages external), the preload for the sandboxed page (electron its only import). */
const COMMONJS: { source: string; out: string; options: BuildOptions }[] = [
  { source: 'main/index.ts', out: 'main.cjs', options: { platform: 'node', target: 'node22', packages: 'external' } },
  { source: 'main/preload.ts', out: 'preload.cjs', options: { platform: 'browser', target: 'chrome120', external: ['electron'] } },
];

/** Bundles the engine process, the CLI, the workers, main and the preload into `outDir` (default dist/). */
export async function buildBundles(root = ROOT, outDir = join(root, 'dist')): Promise<string[]> {
  const { build } = await import('esbuild');
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const entryPoints = Object.entries(ENTRIES).map(([out, source]) => ({ out, in: join(root, source) }));
  await build({
    entryPoints,
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
    banner: { js: BANNER },
    define: { 'process.env.CAIRN_VERSION': JSON.stringify(version) },
    plugins: [sourcePaths(root, outDir)],
  });
  for (const bundle of COMMONJS) {
    await build({
      entryPoints: [join(root, bundle.source)],
      outfile: join(outDir, bundle.out),
      bundle: true,
      format: 'cjs',
      ...bundle.options,
      sourcemap: 'linked',
      logLevel: 'warning',
    });
  }
  return [...Object.keys(ENTRIES).map((name) => join(outDir, `${name}.js`)), ...COMMONJS.map((bundle) => join(outDir, bundle.out))];
}

/** Builds the renderer with Vite into `outDir` (default dist/renderer), atomically: a half-built one is never served. */
export async function buildRenderer(root = ROOT, outDir = join(root, 'dist', 'renderer')): Promise<string> {
  const { build } = await import('vite');
  const staging = `${outDir}.building-${process.pid}-${Date.now()}`;
  await build({ configFile: join(root, 'vite.config.ts'), root: join(root, 'renderer'), logLevel: 'warn', build: { outDir: staging, emptyOutDir: true } });
  await mkdir(dirname(outDir), { recursive: true });
  const old = `${outDir}.old-${process.pid}-${Date.now()}`;
  await rename(outDir, old).catch(() => {});
  try {
    await rename(staging, outDir);
  } catch (error) {
    // Another process put a fresh build there meanwhile: keep that one.
    await rm(staging, { recursive: true, force: true });
    if (!(await stat(join(outDir, 'index.html')).catch(() => null))) throw error;
  }
  await rm(old, { recursive: true, force: true });
  return outDir;
}

/** Newest modification time of the files the renderer is built from. */
async function newestSource(root: string): Promise<number> {
  let newest = 0;
  const visit = async (path: string): Promise<void> => {
    const info = await stat(path).catch(() => null);
    if (!info) return;
    if (info.isDirectory()) {
      for (const name of await readdir(path)) if (name !== 'node_modules' && name !== 'dist') await visit(join(path, name));
    } else newest = Math.max(newest, info.mtimeMs);
  };
  for (const part of ['renderer', join('app', 'contract'), 'vite.config.ts', 'package.json']) await visit(join(root, part));
  return newest;
}

/** Whether dist/renderer is missing or older than its sources. */
export async function rendererStale(root = ROOT, outDir = join(root, 'dist', 'renderer')): Promise<boolean> {
  const built = await stat(join(outDir, 'index.html')).catch(() => null);
  return !built || built.mtimeMs < (await newestSource(root));
}

if (import.meta.main) {
  const started = performance.now();
  const bundles = await buildBundles();
  const renderer = await buildRenderer();
  for (const file of [...bundles, renderer]) console.log(`built ${relative(ROOT, file)}`);
  console.log(`in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
