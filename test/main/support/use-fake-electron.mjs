// `node --import ./use-fake-electron.mjs dist/main.cjs`: `electron` resolves (for require and import alike) to fake-electron.mjs.
import { registerHooks } from 'node:module';
import { URL } from 'node:url';

const fake = new URL('./fake-electron.mjs', import.meta.url).href;
registerHooks({
  resolve: (specifier, context, next) => (specifier === 'electron' ? { url: fake, shortCircuit: true } : next(specifier, context)),
});
