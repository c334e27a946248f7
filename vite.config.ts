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
  resolve: {
    // Radix's scroll lock injects a <style> element, which the strict CSP refuses; see the shim.
    alias: [{ find: /^react-remove-scroll$/, replacement: resolve(import.meta.dirname, 'renderer', 'src', 'shims', 'remove-scroll.tsx') }],
  },
  build: { outDir: resolve(import.meta.dirname, 'dist', 'renderer'), emptyOutDir: true, sourcemap: true },
};
