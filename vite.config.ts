// Builds the React renderer (renderer/) into dist/renderer, for Electron and `cairn serve`
// (build.ts runs it; `cairn serve` does on first start when the build is missing or stale).
import react from '@vitejs/plugin-react';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

/**
 * pdf.js's character maps (CJK text), standard fonts (PDFs that do not embed theirs) and image
 * decoders in plain JavaScript (the strict CSP allows no WebAssembly), copied into the build under
 * pdfjs/: the PDF viewer's worker fetches them by name (renderer/src/views/source/pdf.ts).
 */
function pdfjsFiles(): Plugin {
  const root = dirname(fileURLToPath(import.meta.resolve('pdfjs-dist/package.json')));
  const folders: [string, RegExp][] = [
    ['cmaps', /\.bcmap$/],
    ['standard_fonts', /\.(pfb|ttf)$/],
    ['wasm', /_nowasm_fallback\.js$/],
  ];
  return {
    name: 'cairn-pdfjs-files',
    apply: 'build',
    generateBundle() {
      for (const [folder, keep] of folders) {
        for (const name of readdirSync(join(root, folder))) {
          if (keep.test(name)) this.emitFile({ type: 'asset', fileName: `pdfjs/${folder}/${name}`, source: readFileSync(join(root, folder, name)) });
        }
      }
    },
  };
}

export default {
  root: resolve(import.meta.dirname, 'renderer'),
  // Relative asset URLs: the same build loads from file:// in Electron and from / in a browser.
  base: './',
  publicDir: resolve(import.meta.dirname, 'resources', 'icons'),
  plugins: [react(), pdfjsFiles()],
  resolve: {
    // Radix's scroll lock injects a <style> element, which the strict CSP refuses; see the shim.
    alias: [{ find: /^react-remove-scroll$/, replacement: resolve(import.meta.dirname, 'renderer', 'src', 'shims', 'remove-scroll.tsx') }],
  },
  build: { outDir: resolve(import.meta.dirname, 'dist', 'renderer'), emptyOutDir: true, sourcemap: true },
};
