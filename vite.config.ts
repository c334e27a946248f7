// Builds the React renderer (renderer/) into dist/renderer, for Electron and `cairn serve`
// (build.ts runs it; `cairn serve` does on first start when the build is missing or stale).
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';

export default {
  root: resolve(import.meta.dirname, 'renderer'),
  // Relative asset URLs: the same build loads from file:// in Electron and from / in a browser.
  base: './',
  publicDir: resolve(import.meta.dirname, 'resources', 'icons'),
  plugins: [react()],
  build: { outDir: resolve(import.meta.dirname, 'dist', 'renderer'), emptyOutDir: true, sourcemap: true },
};
