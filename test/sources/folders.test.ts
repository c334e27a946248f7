// Watched folders on real temporary directories: the engine reconciles, watches with chokidar,
// and indexes adds, changes, renames, moves and deletions; problems become the source's status.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Engine } from '../../app/engine.ts';
import type { SourceStatus } from '../../app/contract/index.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';
import { paragraph, tempDir } from '../support/corpus.ts';

const timings = { debounceMs: 40, settleMs: 150, rootCheckMs: 100 };

async function openEngine(t: TestContext, embedder = new FakeEmbedder(), dbPath = join(tempDir(), 'library.db'), folders = timings) {
  const engine = await Engine.open({ dbPath, embedder, folders });
  t.after(() => engine.close());
  return engine;
}

/** A note whose file was last modified a while ago (so it counts as settled at once). */
function note(path: string, marker: string, ageMs = 10_000): void {
  writeFileSync(path, `# ${marker} heading\n\n${marker} ${paragraph(marker.length)}\n`);
  const then = new Date(Date.now() - ageMs);
  execFileSync('touch', ['-d', then.toISOString(), path]);
}

interface DocRow {
  id: number;
  uri: string;
  title: string;
  status: string;
}

function documents(engine: Engine): DocRow[] {
  return engine.library.db.prepare('SELECT id, uri, title, status FROM documents WHERE parent_id IS NULL ORDER BY uri').all() as DocRow[];
}

function folderStatus(engine: Engine, root: string): SourceStatus {
  const status = engine.sources().find((s) => s.kind === 'folder' && s.uri === root);
  assert.ok(status, `no folder source for ${root}`);
  return status;
}

/** Polls until `check` holds; a generous timeout only guards against hanging forever. */
async function waitFor(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function hits(engine: Engine, query: string): Promise<string[]> {
  return (await engine.search({ query, mode: 'bm25' })).hits.map((h) => h.uri);
}

test('a watched folder is reconciled on start, then adds, changes and deletions are indexed as they happen', async (t) => {
  const root = tempDir();
  note(join(root, 'one.md'), 'aardvark');
  mkdirSync(join(root, 'sub'));
  note(join(root, 'sub', 'two.md'), 'bison');
  const engine = await openEngine(t);
  engine.addFolder(root);
  assert.equal(folderStatus(engine, root).state.state, 'idle');
  await engine.watchFolders();
  await engine.folders.settled();
  assert.deepEqual(documents(engine).map((d) => d.uri), [join(root, 'one.md'), join(root, 'sub', 'two.md')]);
  const status = folderStatus(engine, root);
  assert.equal(status.state.state, 'watching');
  assert.equal(status.documents, 2);

  note(join(root, 'sub', 'three.md'), 'caribou');
  await waitFor('three.md indexed', () => documents(engine).some((d) => d.uri.endsWith('three.md') && d.status === 'indexed'));
  assert.deepEqual(await hits(engine, 'caribou'), [join(root, 'sub', 'three.md')]);

  appendFileSync(join(root, 'one.md'), '\n\nA new paragraph about the dromedary.\n');
  await waitFor('the change indexed', () => engine.library.db.prepare("SELECT 1 FROM chunks WHERE text LIKE '%dromedary%'").get() !== undefined);
  assert.deepEqual(await hits(engine, 'dromedary'), [join(root, 'one.md')]);

  rmSync(join(root, 'sub', 'two.md'));
  await waitFor('two.md gone', () => !documents(engine).some((d) => d.uri.endsWith('two.md')));
  assert.deepEqual(await hits(engine, 'bison'), []);
});

test('a source shows scanning, then indexing n of m, then watching', async (t) => {
  const root = tempDir();
  for (let i = 0; i < 24; i++) note(join(root, `n${i}.md`), `vole${i}`);
  // A slow embedder and small batches, so the indexing state lasts long enough to be seen.
  const embedder = new FakeEmbedder();
  const embed = embedder.embed.bind(embedder);
  embedder.embed = async (texts) => {
    await new Promise((r) => setTimeout(r, 100));
    return embed(texts);
  };
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder, folders: timings, ingest: { batchChunks: 2 } });
  t.after(() => engine.close());
  engine.addFolder(root);
  const seen: string[] = [];
  const progress: { done: number; total: number }[] = [];
  const sample = setInterval(() => {
    const { state } = folderStatus(engine, root);
    const label = state.state === 'indexing' ? 'indexing' : state.state;
    if (seen.at(-1) !== label) seen.push(label);
    if (state.state === 'indexing') progress.push({ done: state.done!, total: state.total! });
  }, 10);
  const watching = engine.watchFolders();
  seen.push(folderStatus(engine, root).state.state);
  await watching;
  await engine.folders.settled();
  clearInterval(sample);
  seen.push(folderStatus(engine, root).state.state);
  assert.equal(seen[0], 'scanning');
  assert.ok(seen.includes('indexing'), `states seen: ${seen.join(', ')}`);
  assert.equal(seen.at(-1), 'watching');
  assert.ok(progress.every((p) => p.total === 24 && p.done >= 0 && p.done < 24), JSON.stringify(progress.slice(0, 5)));
  assert.ok(progress.some((p) => p.done > 0), 'progress moves');
});

test('removing a folder while it is being indexed stops cleanly, and the other folders finish', async (t) => {
  const parent = tempDir();
  const [a, b] = [join(parent, 'a'), join(parent, 'b')];
  for (const dir of [a, b]) {
    mkdirSync(dir);
    for (let i = 0; i < 12; i++) note(join(dir, `n${i}.md`), `${dir.endsWith('a') ? 'wren' : 'yak'}${i}`);
  }
  const embedder = new FakeEmbedder();
  const embed = embedder.embed.bind(embedder);
  embedder.embed = async (texts) => {
    await new Promise((r) => setTimeout(r, 100));
    return embed(texts);
  };
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder, folders: timings, ingest: { batchChunks: 2 } });
  t.after(() => engine.close());
  // Any failure of an indexing run (e.g. writing a document for a source just deleted) is caught here.
  const failures: unknown[] = [];
  const index = engine.index.bind(engine);
  engine.index = (signal) => index(signal).catch((error: unknown) => {
    failures.push(error);
    throw error;
  });
  engine.addFolder(a);
  engine.addFolder(b);
  await engine.watchFolders();
  await waitFor('indexing under way', () => engine.sources().some((s) => s.state.state === 'indexing'));
  await engine.removeFolder(a);
  await engine.folders.settled();
  assert.deepEqual(engine.sources().map((s) => [s.uri, s.documents, s.state.state]), [[b, 12, 'watching']]);
  assert.equal(documents(engine).filter((d) => d.uri.startsWith(a + '/')).length, 0);
  assert.equal(engine.library.jobs.count(), 0, 'no job left behind');
  assert.deepEqual(failures, [], 'no indexing run failed');
});

test('a file changed again while its job is running is looked at once more after the run', async (t) => {
  const root = tempDir();
  const path = join(root, 'busy.md');
  // A slow embedder: the file is read, then changes while its vectors are being made.
  const embedder = new FakeEmbedder();
  const embed = embedder.embed.bind(embedder);
  let embedding = false;
  embedder.embed = async (texts) => {
    embedding = true;
    await new Promise((r) => setTimeout(r, 1000));
    return embed(texts);
  };
  const engine = await openEngine(t, embedder);
  engine.addFolder(root);
  await engine.watchFolders();
  note(path, 'antelope');
  await waitFor('embedding under way', () => embedding);
  appendFileSync(path, '\nA late line about the bongo.\n');
  await waitFor('the late change indexed', () => engine.library.db.prepare("SELECT 1 FROM chunks WHERE text LIKE '%bongo%'").get() !== undefined);
  await engine.folders.settled();
  assert.deepEqual(await hits(engine, 'bongo'), [path]);
});

test('a rename or a move into a subfolder re-labels the document: same id, no extraction, no embedding', async (t) => {
  const root = tempDir();
  writeFileSync(join(root, 'plain notes.txt'), `okapi ${paragraph(3)}\n`);
  execFileSync('touch', ['-d', new Date(Date.now() - 10_000).toISOString(), join(root, 'plain notes.txt')]);
  note(join(root, 'heading.md'), 'gazelle');
  const embedder = new FakeEmbedder();
  const engine = await openEngine(t, embedder);
  engine.addFolder(root);
  await engine.watchFolders();
  await engine.folders.settled();
  const before = documents(engine);
  const txt = before.find((d) => d.uri.endsWith('plain notes.txt'))!;
  const md = before.find((d) => d.uri.endsWith('heading.md'))!;
  assert.equal(txt.title, 'plain notes.txt', 'a text file is titled by its name');
  const calls = embedder.calls;

  renameSync(join(root, 'plain notes.txt'), join(root, 'renamed wombat.txt'));
  mkdirSync(join(root, 'archive'));
  renameSync(join(root, 'heading.md'), join(root, 'archive', 'heading.md'));
  await waitFor('both moves', () => {
    const uris = documents(engine).map((d) => d.uri);
    return uris.includes(join(root, 'renamed wombat.txt')) && uris.includes(join(root, 'archive', 'heading.md')) && uris.length === 2;
  });
  await engine.folders.settled();
  const after = documents(engine);
  const movedTxt = after.find((d) => d.uri.endsWith('renamed wombat.txt'))!;
  const movedMd = after.find((d) => d.uri.endsWith('heading.md'))!;
  assert.equal(movedTxt.id, txt.id, 'the same document, re-labelled');
  assert.equal(movedMd.id, md.id);
  assert.equal(movedTxt.title, 'renamed wombat.txt', 'a title from the file name follows the name');
  assert.equal(movedMd.title, md.title, 'a title from the content stays');
  assert.equal(embedder.calls, calls, 'nothing was embedded again');
  assert.deepEqual(await hits(engine, 'okapi'), [join(root, 'renamed wombat.txt')]);
  assert.deepEqual(await hits(engine, 'wombat'), [join(root, 'renamed wombat.txt')], 'the new name is searchable');
  assert.deepEqual(await hits(engine, 'gazelle'), [join(root, 'archive', 'heading.md')]);
  const status = engine.status();
  assert.equal(status.embeddingModels[0]!.vectors, status.chunks, 'vectors stayed with their chunks');
});

test('a folder renamed inside the watched folder moves all its documents; a copy is a new document', async (t) => {
  const root = tempDir();
  mkdirSync(join(root, 'projects', 'alpha'), { recursive: true });
  for (const name of ['a', 'b', 'c']) note(join(root, 'projects', 'alpha', `${name}.md`), `sloth${name}`);
  note(join(root, 'original.md'), 'tortoise');
  const embedder = new FakeEmbedder();
  const engine = await openEngine(t, embedder);
  engine.addFolder(root);
  await engine.watchFolders();
  await engine.folders.settled();
  const ids = new Map(documents(engine).map((d) => [d.uri.slice(d.uri.lastIndexOf('/') + 1), d.id]));
  const calls = embedder.calls;

  renameSync(join(root, 'projects', 'alpha'), join(root, 'projects', 'beta'));
  await waitFor('the folder moved', () => documents(engine).filter((d) => d.uri.includes('/beta/')).length === 3 && !documents(engine).some((d) => d.uri.includes('/alpha/')));
  await engine.folders.settled();
  for (const doc of documents(engine).filter((d) => d.uri.includes('/beta/'))) {
    assert.equal(doc.id, ids.get(doc.uri.slice(doc.uri.lastIndexOf('/') + 1)), `${doc.uri} kept its document`);
  }
  assert.equal(embedder.calls, calls, 'nothing embedded for a folder rename');

  // A copy leaves the original in place: a second document (its chunks copied, not embedded).
  execFileSync('cp', ['-p', join(root, 'original.md'), join(root, 'copy.md')]);
  await waitFor('the copy indexed', () => documents(engine).some((d) => d.uri.endsWith('copy.md')));
  await engine.folders.settled();
  assert.equal(documents(engine).find((d) => d.uri.endsWith('original.md'))?.id, ids.get('original.md'));
  assert.deepEqual((await hits(engine, 'tortoise')).sort(), [join(root, 'copy.md'), join(root, 'original.md')]);
  assert.equal(embedder.calls, calls, 'same content: chunks and vectors copied');
});

test('changes made while Cairn was closed are found on start: new, changed, renamed and deleted files', async (t) => {
  const root = tempDir();
  const dbPath = join(tempDir(), 'library.db');
  note(join(root, 'keep.md'), 'emu');
  note(join(root, 'change.md'), 'ferret');
  note(join(root, 'rename.md'), 'gecko');
  note(join(root, 'delete.md'), 'heron');
  let engine = await Engine.open({ dbPath, embedder: new FakeEmbedder(), folders: timings });
  engine.addFolder(root);
  await engine.watchFolders();
  await engine.folders.settled();
  const renamedId = documents(engine).find((d) => d.uri.endsWith('rename.md'))!.id;
  await engine.close();

  note(join(root, 'change.md'), 'ferretchanged', 5_000);
  renameSync(join(root, 'rename.md'), join(root, 'renamed.md'));
  rmSync(join(root, 'delete.md'));
  note(join(root, 'new.md'), 'ibis');

  const embedder = new FakeEmbedder();
  engine = await openEngine(t, embedder, dbPath);
  await engine.watchFolders();
  await engine.folders.settled();
  const uris = documents(engine).map((d) => d.uri);
  assert.deepEqual(uris, ['change.md', 'keep.md', 'new.md', 'renamed.md'].map((n) => join(root, n)));
  assert.equal(documents(engine).find((d) => d.uri.endsWith('renamed.md'))!.id, renamedId, 'renamed while closed: moved, not copied');
  assert.deepEqual(await hits(engine, 'ferretchanged'), [join(root, 'change.md')]);
  assert.deepEqual(await hits(engine, 'heron'), []);
  assert.equal(embedder.embedded, 2 * 1, 'only the changed and the new file were embedded (one chunk each)');
});

test('excluded folders are never walked, and excluded or temporary files are never indexed', async (t) => {
  const root = tempDir();
  note(join(root, 'kept.md'), 'jackal');
  for (const dir of ['.git', 'node_modules', 'build']) {
    mkdirSync(join(root, dir));
    note(join(root, dir, 'inside.md'), 'koala');
    // A pipe is reported as a problem by any walk that lists its folder: its absence shows the folder was not listed.
    execFileSync('mkfifo', [join(root, dir, 'pipe')]);
  }
  for (const name of ['~$report.docx', '.#lock.md', 'x.swp', 'x.tmp', 'x.part', '.DS_Store', 'draft.md~', 'big.md', 'image.png']) {
    writeFileSync(join(root, name), `lemur ${name}\n`);
  }
  writeFileSync(join(root, 'big.md'), `lemur ${'x'.repeat(5000)}\n`);
  execFileSync('mkfifo', [join(root, 'visible-pipe')]);
  const engine = await openEngine(t);
  engine.addFolder(root, { exclude: ['build'], include: ['*.md', '*.txt', '*.docx'], maxFileBytes: 1000 });
  await engine.watchFolders();
  await engine.folders.settled();
  assert.deepEqual(documents(engine).map((d) => d.uri), [join(root, 'kept.md')]);
  const status = folderStatus(engine, root);
  assert.deepEqual(status.exclude, ['build']);
  const problemPaths = status.problems!.map((p) => p.path);
  assert.ok(problemPaths.includes(join(root, 'visible-pipe')), 'a pipe in a walked folder is reported');
  assert.ok(problemPaths.includes(join(root, 'big.md')), 'a file above the size limit is reported');
  for (const dir of ['.git', 'node_modules', 'build']) assert.ok(!problemPaths.some((p) => p.startsWith(join(root, dir))), `${dir} was not walked`);

  // Also while watching: files appearing in excluded places stay out, others come in.
  note(join(root, 'node_modules', 'later.md'), 'mongoose');
  note(join(root, 'later.tmp'), 'mongoose');
  note(join(root, 'later.md'), 'narwhal');
  await waitFor('later.md indexed', () => documents(engine).some((d) => d.uri.endsWith('later.md') && !d.uri.includes('node_modules')));
  await engine.folders.settled();
  assert.deepEqual(await hits(engine, 'mongoose'), []);
  assert.deepEqual(await hits(engine, 'koala'), []);
});

test('symbolic link loops and links to folders are left out with a reason, never followed', async (t) => {
  const root = tempDir();
  note(join(root, 'real.md'), 'ocelot');
  symlinkSync('.', join(root, 'self'));
  symlinkSync(join(root, 'b'), join(root, 'a'));
  symlinkSync(join(root, 'a'), join(root, 'b'));
  symlinkSync(join(root, 'real.md'), join(root, 'link.md'));
  const engine = await openEngine(t);
  engine.addFolder(root);
  await engine.watchFolders();
  await engine.folders.settled();
  const status = folderStatus(engine, root);
  assert.equal(status.state.state, 'watching');
  assert.deepEqual(documents(engine).map((d) => d.uri), [join(root, 'link.md'), join(root, 'real.md')], 'a link to a file is indexed');
  const reasons = new Map(status.problems!.map((p) => [p.path, p.reason]));
  assert.match(reasons.get(join(root, 'self'))!, /Link to a folder: not followed/);
  assert.match(reasons.get(join(root, 'a'))!, /loop/);
  assert.match(reasons.get(join(root, 'b'))!, /loop/);
  assert.match(status.state.reason!, /3 item\(s\) left out/);
});

test('a link to a file outside the watched folder is left out with a reason, also one made while watching', async (t) => {
  const elsewhere = tempDir();
  note(join(elsewhere, 'id_rsa'), 'wolverine');
  note(join(elsewhere, 'later_key'), 'xerus');
  const root = tempDir();
  note(join(root, 'real.md'), 'ocelot');
  symlinkSync(join(root, 'real.md'), join(root, 'inside.md'));
  symlinkSync(join(elsewhere, 'id_rsa'), join(root, 'shadow.md'));
  const engine = await openEngine(t);
  engine.addFolder(root);
  await engine.watchFolders();
  await engine.folders.settled();
  const status = folderStatus(engine, root);
  // (chokidar may also report the link: then the pipeline records it as skipped, never read.)
  assert.deepEqual(documents(engine).filter((d) => d.status === 'indexed').map((d) => d.uri), [join(root, 'inside.md'), join(root, 'real.md')]);
  assert.deepEqual(await hits(engine, 'wolverine'), []);
  assert.equal(status.problems!.find((p) => p.path === join(root, 'shadow.md'))?.reason, 'Link to a file outside the folder: not read');

  // A link that appears while watching reaches the pipeline through the watcher: not read there either.
  symlinkSync(join(elsewhere, 'later_key'), join(root, 'later.md'));
  await waitFor('the new link is looked at', () => documents(engine).some((d) => d.uri === join(root, 'later.md')));
  await engine.folders.settled();
  assert.deepEqual(await hits(engine, 'xerus'), []);
  const problem = engine.status().problems.find((p) => p.uri === join(root, 'later.md'));
  assert.equal(problem?.reason, 'Link to a file outside the folder: not read');
});

test('a file name that is not valid UTF-8 is a problem of the watched folder, with its escaped name', async (t) => {
  const root = tempDir();
  note(join(root, 'fine.md'), 'pangolin');
  try {
    writeFileSync(Buffer.from(`${root}/r\xe9sum\xe9.md`, 'latin1'), 'hidden\n');
  } catch (error) {
    t.skip(`this file system refuses non-UTF-8 names (${(error as NodeJS.ErrnoException).code})`);
    return;
  }
  const engine = await openEngine(t);
  engine.addFolder(root);
  await engine.watchFolders();
  await engine.folders.settled();
  const status = folderStatus(engine, root);
  assert.deepEqual(await hits(engine, 'pangolin'), [join(root, 'fine.md')]);
  assert.deepEqual(status.problems, [{ path: join(root, 'r\\xE9sum\\xE9.md'), reason: 'File name is not valid UTF-8: r\\xE9sum\\xE9.md (rename it to index it)' }]);
});

test('an unreadable file becomes a problem with a reason while the rest is indexed', async (t) => {
  const root = tempDir();
  note(join(root, 'fine.md'), 'pelican');
  // Tests often run as root, for whom chmod 000 does not stop reads; then a folder named like a
  // file and a named pipe stand in for "cannot be read as a file", which root cannot read either.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    mkdirSync(join(root, 'looks-like-a-file.md'));
    execFileSync('mkfifo', [join(root, 'pipe.md')]);
  } else {
    note(join(root, 'secret.md'), 'quail');
    chmodSync(join(root, 'secret.md'), 0o000);
    t.after(() => chmodSync(join(root, 'secret.md'), 0o644));
  }
  const engine = await openEngine(t);
  engine.addFolder(root);
  await engine.watchFolders();
  await engine.folders.settled();
  const status = folderStatus(engine, root);
  assert.equal(status.state.state, 'watching');
  assert.deepEqual(await hits(engine, 'pelican'), [join(root, 'fine.md')]);
  if (asRoot) {
    assert.ok(status.problems!.some((p) => p.path === join(root, 'pipe.md') && /Not a regular file/.test(p.reason)));
    assert.ok(!documents(engine).some((d) => d.uri.includes('looks-like-a-file')), 'a folder is walked, not read as a file');
  } else {
    const secret = documents(engine).find((d) => d.uri.endsWith('secret.md'));
    assert.equal(secret?.status, 'failed');
    assert.ok(engine.status().problems.some((p) => p.uri.endsWith('secret.md') && p.reason.length > 0));
  }
});

test('a watched folder that disappears puts the source in error with a reason, keeps its documents, and is watched again when it returns', async (t) => {
  const parent = tempDir();
  const root = join(parent, 'drive');
  mkdirSync(root);
  note(join(root, 'a.md'), 'quokka');
  const engine = await openEngine(t);
  engine.addFolder(root);
  await engine.watchFolders();
  await engine.folders.settled();
  assert.equal(documents(engine).length, 1);

  renameSync(root, join(parent, 'unplugged'));
  await waitFor('error state', () => folderStatus(engine, root).state.state === 'error');
  assert.match(folderStatus(engine, root).state.reason!, /Folder is missing/);
  assert.equal(folderStatus(engine, root).state.code, 'folder-missing');
  assert.equal(documents(engine).length, 1, 'documents stay while the folder is away');

  renameSync(join(parent, 'unplugged'), root);
  note(join(root, 'b.md'), 'raccoon');
  await waitFor('watching again', () => folderStatus(engine, root).state.state === 'watching' && documents(engine).length === 2);
  assert.deepEqual(await hits(engine, 'raccoon'), [join(root, 'b.md')]);

  rmSync(root, { recursive: true });
  await waitFor('error after rm -r', () => folderStatus(engine, root).state.state === 'error');
  assert.match(folderStatus(engine, root).state.reason!, /Folder is missing/);
});

test('a file still being written is indexed once, after it settles', async (t) => {
  const root = tempDir();
  const embedder = new FakeEmbedder();
  // A long settle time, so the pauses between writes below are far inside it.
  const engine = await openEngine(t, embedder, join(tempDir(), 'library.db'), { ...timings, settleMs: 1500 });
  engine.addFolder(root);
  await engine.watchFolders();
  await engine.folders.settled();
  const path = join(root, 'growing.md');
  writeFileSync(path, '# Growing\n\nfirst part salamander\n');
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 100));
    appendFileSync(path, `more part ${i}\n`);
  }
  appendFileSync(path, 'last part tapir\n');
  await waitFor('growing.md indexed', () => documents(engine).some((d) => d.uri === path));
  await engine.folders.settled();
  assert.equal(embedder.calls, 1, 'embedded once, with the whole file');
  assert.deepEqual(await hits(engine, 'tapir'), [path]);
});

test('folders are added with rules, refused when overlapping, and removed with their documents', async (t) => {
  const root = tempDir();
  mkdirSync(join(root, 'inner'));
  note(join(root, 'inner', 'x.md'), 'urchin');
  const engine = await openEngine(t);
  // Documents added before as an import become the folder's own.
  engine.add([root]);
  await engine.index();
  const source = engine.addFolder(root, { include: ['*.md'], exclude: ['drafts'] });
  assert.equal(folderStatus(engine, root).documents, 1);
  assert.deepEqual(engine.library.sources.config(source.id), { include: ['*.md'], exclude: ['drafts'], maxFileBytes: 100 * 1024 * 1024 });
  assert.throws(() => engine.addFolder(join(root, 'inner')), { code: 'folder-overlap' });
  assert.throws(() => engine.addFolder(join(root, 'inner', 'x.md')), { code: 'not-a-folder' });
  assert.throws(() => engine.addFolder(join(root, 'nope')), { code: 'folder-not-found' });
  assert.equal(await engine.removeFolder(root), 1);
  assert.equal(documents(engine).length, 0);
  assert.ok(!engine.sources().some((s) => s.kind === 'folder'));
  await assert.rejects(engine.removeFolder(root), { code: 'folder-not-found' });
});
