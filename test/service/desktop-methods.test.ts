// The desktop actions (desktop.*) where there is no desktop app to answer them: the engine says
// they are not available, and each fails with 'desktop-only' (a browser against `cairn serve`
// hides them). In the app, the preload hands them to main (test/main).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { CairnError } from '../../app/contract/index.ts';
import { DESKTOP_METHOD_PREFIX, DESKTOP_ONLY, methods } from '../../app/contract/api.ts';
import { tempDir } from '../support/corpus.ts';
import { connectService } from './support.ts';

test('outside the desktop app, desktop.info says the desktop actions are not available and each fails with desktop-only', async () => {
  const c = await connectService({ dbPath: join(tempDir(), 'library.db'), embedder: null });
  try {
    const { api } = c.client;
    assert.deepEqual(await api.desktop.info(), { available: false, platform: null });
    const calls: [string, Promise<unknown>][] = [
      ['desktop.openDocument', api.desktop.openDocument({ id: 1, page: 3 })],
      ['desktop.revealDocument', api.desktop.revealDocument({ id: 1 })],
      ['desktop.choosePaths', api.desktop.choosePaths({ pick: 'folders' })],
      ['desktop.openExternal', api.desktop.openExternal({ url: 'https://example.com/' })],
    ];
    // Every desktop action of the table is here.
    assert.deepEqual(
      calls.map(([name]) => name).sort(),
      Object.keys(methods).filter((name) => name.startsWith(DESKTOP_METHOD_PREFIX) && name !== 'desktop.info').sort(),
    );
    for (const [name, call] of calls) {
      await assert.rejects(call, (error: unknown) => {
        assert.ok(error instanceof CairnError, name);
        assert.equal(error.code, DESKTOP_ONLY, name);
        assert.match(error.message, /desktop app/);
        return true;
      });
    }
  } finally {
    await c.close();
  }
});
