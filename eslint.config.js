// Lint rules, and the import boundaries of ARCHITECTURE.md: `app/` is plain Node (no electron,
// no UI), `renderer/` sees only the contract, and `app/contract` imports nothing from Node.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The window shows no text that skipped i18n: letters written straight into JSX (text, or a
// title, aria-label, placeholder, alt or label given as a literal) are refused; they belong in
// renderer/src/i18n/en.ts and zh-CN.ts.
const TEXT_ATTRIBUTES = new Set(['title', 'aria-label', 'placeholder', 'alt', 'label']);
const hasLetters = (text) => /\p{L}/u.test(text);
const cairnPlugin = {
  rules: {
    'no-literal-text': {
      meta: { type: 'problem', messages: { literal: 'Visible text "{{text}}" is not translated: add a key to renderer/src/i18n and use t().' } },
      create(context) {
        const report = (node, text) => context.report({ node, messageId: 'literal', data: { text: text.trim().slice(0, 40) } });
        return {
          JSXText(node) {
            if (hasLetters(node.value)) report(node, node.value);
          },
          JSXExpressionContainer(node) {
            const e = node.expression;
            if (node.parent?.type === 'JSXElement' && e.type === 'Literal' && typeof e.value === 'string' && hasLetters(e.value)) report(node, e.value);
          },
          JSXAttribute(node) {
            const name = typeof node.name.name === 'string' ? node.name.name : '';
            if (TEXT_ATTRIBUTES.has(name) && node.value?.type === 'Literal' && typeof node.value.value === 'string' && hasLetters(node.value.value)) report(node, node.value.value);
          },
        };
      },
    },
  },
};

const noElectronOrUi = [
  { group: ['electron', 'electron/*'], message: 'app/ is plain Node.js: the engine never imports electron.' },
  { group: ['**/main/**', '**/renderer/**'], message: 'app/ must not import main/ or renderer/.' },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tools/', 'renderer/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['app/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: noElectronOrUi }] },
  },
  {
    files: ['app/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...noElectronOrUi,
          { group: ['node:*'], message: 'The contract is shared with the renderer: no Node imports.' },
          { group: ['../*', '!../contract/*'], message: 'The contract depends on nothing else in app/.' },
        ],
      }],
    },
  },
  {
    files: ['renderer/**/*.tsx'],
    plugins: { cairn: cairnPlugin },
    rules: { 'cairn/no-literal-text': 'error' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'node:*'], message: 'The renderer runs in a sandboxed browser page.' },
          { group: ['**/app/*', '!**/app/contract', '!**/app/contract/*'], message: 'The renderer may import only app/contract.' },
          { group: ['**/main/**', '**/native/**'], message: 'The renderer may import only app/contract.' },
        ],
      }],
    },
  },
  {
    files: ['main/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/app/*', '!**/app/contract', '!**/app/contract/*', '!**/app/engine.ts'], message: 'main/ talks to the engine through app/contract (and starts it via app/engine.ts).' },
          { group: ['**/renderer/**'], message: 'main/ must not import renderer/.' },
        ],
      }],
    },
  },
);
