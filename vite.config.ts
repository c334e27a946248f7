// Builds the React renderer (renderer/) into renderer/dist for Electron and `cairn serve`.
// A plain object: Vite accepts it without importing Vite's types into the engine's checks.
export default {
  root: 'renderer',
  base: './',
  build: { outDir: 'dist', emptyOutDir: true },
};
