// The import boundaries of ARCHITECTURE.md are enforced by ESLint: prove the rules fire.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const eslint = new ESLint();

async function restricted(filePath: string, code: string): Promise<boolean> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.some((m) => m.ruleId === 'no-restricted-imports');
}

test('app/ never imports electron, main/ or renderer/', async () => {
  assert.equal(await restricted('app/search/x.ts', "import { app } from 'electron';\nexport { app };\n"), true);
  assert.equal(await restricted('app/search/x.ts', "import { w } from '../../main/window.ts';\nexport { w };\n"), true);
  assert.equal(await restricted('app/search/x.ts', "import { v } from '../store/index.ts';\nexport { v };\n"), false);
});

test('renderer/ may import only app/contract', async () => {
  assert.equal(await restricted('renderer/src/x.ts', "import { Engine } from '../../app/engine.ts';\nexport { Engine };\n"), true);
  assert.equal(await restricted('renderer/src/x.ts', "import { Library } from '../../app/store/index.ts';\nexport { Library };\n"), true);
  assert.equal(await restricted('renderer/src/x.ts', "import { readFile } from 'node:fs';\nexport { readFile };\n"), true);
  assert.equal(await restricted('renderer/src/x.ts', "import { SearchHit } from '../../app/contract/index.ts';\nexport { SearchHit };\n"), false);
});

test('the contract imports nothing from Node or the rest of app/', async () => {
  assert.equal(await restricted('app/contract/x.ts', "import { readFile } from 'node:fs';\nexport { readFile };\n"), true);
  assert.equal(await restricted('app/contract/x.ts', "import { Library } from '../store/index.ts';\nexport { Library };\n"), true);
});
