// What `cairn add` reads: files below the folder the user named, links that stay inside it, and
// never a file a link leads to outside it (/etc/shadow, ~/.ssh/id_rsa). Names that are not valid
// UTF-8 cannot be opened through a string path: they are problems, never silently left out.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Engine } from '../../app/engine.ts';
import type { EngineEvent } from '../../app/contract/index.ts';
import { tempDir } from '../support/corpus.ts';

async function openEngine(t: TestContext, events: EngineEvent[] = []) {
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder: null, onEvent: (e) => events.push(e) });
  t.after(() => engine.close());
  return engine;
}

async function hits(engine: Engine, query: string): Promise<string[]> {
  return (await engine.search({ query, mode: 'bm25' })).hits.map((h) => h.uri);
}

function issues(events: EngineEvent[]): Map<string, string> {
  return new Map(events.flatMap((e) => (e.type === 'document-issue' ? [[e.uri, e.reason] as const] : [])));
}

/** A folder with a file of its own, a link to it, and a link to a secret file in another folder. */
function folderWithLinks(): { root: string; secret: string } {
  const elsewhere = tempDir();
  const secret = join(elsewhere, 'id_rsa');
  writeFileSync(secret, 'PRIVATE KEY wombatsecret\n');
  const root = tempDir();
  mkdirSync(join(root, 'notes'));
  writeFileSync(join(root, 'notes', 'real.txt'), 'an ordinary note about quokkas\n');
  symlinkSync(join(root, 'notes', 'real.txt'), join(root, 'inside-link.txt'));
  symlinkSync(secret, join(root, 'notes', 'shadow.txt'));
  return { root, secret };
}

test('a link to a file outside the added folder is not read; a link that stays inside is', async (t) => {
  const { root } = folderWithLinks();
  const events: EngineEvent[] = [];
  const engine = await openEngine(t, events);
  engine.add([root]);
  await engine.index();
  assert.deepEqual(await hits(engine, 'wombatsecret'), [], 'the secret is not in the library');
  assert.deepEqual((await hits(engine, 'quokkas')).sort(), [join(root, 'inside-link.txt'), join(root, 'notes', 'real.txt')]);
  assert.match(issues(events).get(join(root, 'notes', 'shadow.txt')) ?? '', /Link to a file outside the folder: not read/);
});

test('a link named directly in `cairn add` is the user\'s own choice: it is read', async (t) => {
  const { root, secret } = folderWithLinks();
  const engine = await openEngine(t);
  engine.add([join(root, 'notes', 'shadow.txt')]);
  await engine.index();
  assert.deepEqual(await hits(engine, 'wombatsecret'), [join(root, 'notes', 'shadow.txt')]);
  assert.notEqual(secret, join(root, 'notes', 'shadow.txt'));
});

test('a file job for a link that leaves its source\'s folder is skipped with the reason (a watcher event, a race)', async (t) => {
  const { root } = folderWithLinks();
  const engine = await openEngine(t);
  const link = join(root, 'notes', 'shadow.txt');
  // As a watcher would: the job names the link, the walk never saw it.
  const source = engine.library.sources.ensure('import', root, 'root');
  engine.library.jobs.enqueue('file', { path: link, sourceId: source.id });
  engine.library.jobs.enqueue('file', { path: join(root, 'inside-link.txt'), sourceId: source.id });
  await engine.index();
  assert.deepEqual(await hits(engine, 'wombatsecret'), []);
  assert.deepEqual(await hits(engine, 'quokkas'), [join(root, 'inside-link.txt')]);
  const problem = engine.status().problems.find((p) => p.uri === link);
  assert.equal(problem?.status, 'skipped');
  assert.match(problem?.reason ?? '', /Link to a file outside the folder: not read/);
});

test('a file name that is not valid UTF-8 is a problem with its escaped name, not silently left out', async (t) => {
  const root = tempDir();
  writeFileSync(join(root, 'fine.txt'), 'a fine file about numbats\n');
  mkdirSync(join(root, 'sub'));
  try {
    writeFileSync(Buffer.from(`${root}/sub/caf\xe9.txt`, 'latin1'), 'hidden text\n');
  } catch (error) {
    // Some file systems (macOS APFS) refuse such names outright: then there is nothing to find.
    t.skip(`this file system refuses non-UTF-8 names (${(error as NodeJS.ErrnoException).code})`);
    return;
  }
  const events: EngineEvent[] = [];
  const engine = await openEngine(t, events);
  engine.add([root]);
  const summary = await engine.index();
  assert.deepEqual(await hits(engine, 'numbats'), [join(root, 'fine.txt')]);
  assert.equal(summary.errors, 1);
  const reported = issues(events);
  assert.equal(reported.get(join(root, 'sub', 'caf\\xE9.txt')), 'File name is not valid UTF-8: caf\\xE9.txt (rename it to index it)');
});
