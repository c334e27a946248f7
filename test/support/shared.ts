// Where tests find the shared test models and evaluation data (../shared beside the checkout,
// overridable by CAIRN_MODELS_DIR and CAIRN_EVAL_DIR). Absent data is said loudly: in CI it
// fails the test, elsewhere the test is skipped with a warning that names what is missing.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestContext } from 'node:test';

const root = resolve(import.meta.dirname, '..', '..');

export const modelsDir = process.env.CAIRN_MODELS_DIR ?? resolve(root, '..', 'shared', 'models');
export const evalDir = process.env.CAIRN_EVAL_DIR ?? resolve(root, '..', 'shared', 'eval');

/**
 * Returns the path when it exists. Otherwise fails the test in CI and skips it loudly elsewhere,
 * returning null so the caller can `return`.
 */
export function requireShared(t: TestContext, path: string): string | null {
  if (existsSync(path)) return path;
  const message = `MISSING TEST DATA: ${path} (set CAIRN_MODELS_DIR / CAIRN_EVAL_DIR)`;
  if (process.env.CI) throw new Error(message);
  console.warn(`\n*** ${message}: skipping ***\n`);
  t.skip(message);
  return null;
}
