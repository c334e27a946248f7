// Processes using one library: running jobs and named locks belong to a live process; a dead
// one's (pid gone, or heartbeat too old) are taken back, a live one's never.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { openSqlite } from '../../native/sqlite.ts';
import { Library, migrate } from '../../app/store/index.ts';
import { Presence } from '../../app/store/processes.ts';
import { tempDir } from '../support/corpus.ts';

const tempDb = () => join(tempDir('cairn-processes-'), 'library.db');
const store = resolve(import.meta.dirname, '..', '..', 'app', 'store', 'index.ts');

test('a process killed while it holds jobs and a lock: the next one requeues its jobs and takes the lock at once', () => {
  const path = tempDb();
  const library = Library.open(path);
  for (const name of ['a', 'b', 'c']) library.jobs.enqueue('file', { path: `/${name}` });
  library.close();

  // A child claims two jobs, takes the lock, and is killed without closing anything.
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', `
    import { Library } from ${JSON.stringify(store)};
    const library = Library.open(${JSON.stringify(path)});
    library.presence.describe('the killed child');
    library.jobs.claim('file', 2);
    library.presence.lock('watch');
    process.kill(process.pid, 'SIGKILL');
  `], { encoding: 'utf8' });
  assert.equal(child.signal, 'SIGKILL', child.stderr);

  const next = Library.open(path);
  try {
    assert.equal(next.db.prepare(`SELECT count(*) FROM jobs WHERE state = 'running'`).pluck().get(), 2);
    assert.equal(next.jobs.requeueDead(), 2);
    assert.equal(next.jobs.claim('file', 10).length, 3, 'every job can be claimed again');
    assert.equal(next.presence.lock('watch').held, true, "the dead holder's lock is taken over");
    assert.equal(next.db.prepare('SELECT count(*) FROM processes').pluck().get(), 1, 'the dead process is gone');
  } finally {
    next.close();
  }
});

test("a live process's jobs and locks stay its own; closing gives them back", () => {
  const path = tempDb();
  const first = Library.open(path);
  const second = Library.open(path);
  try {
    first.presence.describe('cairn watch');
    first.jobs.enqueue('file', { path: '/a' });
    const [job] = first.jobs.claim('file', 1);
    assert.equal(first.presence.lock('watch').held, true);
    assert.equal(first.presence.lock('watch').held, true, 'taken again by its holder');

    assert.equal(second.jobs.requeueDead(), 0);
    assert.equal(second.jobs.claim('file', 1).length, 0);
    const refused = second.presence.lock('watch');
    assert.ok(!refused.held);
    assert.equal(refused.holder.description, 'cairn watch');
    assert.equal(refused.holder.pid, process.pid);
    assert.equal(second.jobs.hold(job!.id), 'lost', 'not the second process to write');
    assert.equal(first.jobs.hold(job!.id), 'held');

    first.presence.unlock('watch');
    assert.equal(second.presence.lock('watch').held, false, 'taken twice, let go once: still held');
    first.close();
    assert.deepEqual(second.jobs.claim('file', 1).map((j) => j.id), [job!.id], 'its job is back in the queue');
    assert.equal(second.presence.lock('watch').held, true, 'its lock is free');
  } finally {
    first.close();
    second.close();
  }
});

test('a process whose heartbeat is too old is taken for dead; if it was only suspended, it learns that it lost its lock', async () => {
  const path = tempDb();
  const db = openSqlite(path);
  migrate(db);
  const other = openSqlite(path);
  const suspended = new Presence(db, { heartbeatMs: 20 });
  const next = new Presence(other, { staleMs: 60_000 });
  try {
    const { held, lost } = suspended.lock('watch') as { held: true; lost: AbortSignal };
    assert.equal(held, true);
    assert.equal(next.lock('watch').held, false);
    // As if it had not beaten for ten minutes (a laptop asleep, a stopped process).
    db.prepare('UPDATE processes SET heartbeat_at = ?').run(Date.now() - 600_000);
    assert.equal(next.lock('watch').held, true, 'taken over from a process that stopped beating');
    // The heartbeat timer is unref'd (it must never keep a process alive): hold the loop open while waiting for it.
    const keepAlive = setInterval(() => {}, 1000);
    await new Promise<void>((resolvePromise) => lost.addEventListener('abort', () => resolvePromise(), { once: true })).finally(() => clearInterval(keepAlive));
    assert.match((lost.reason as Error).message, /took over the 'watch' lock/);
    assert.notEqual(suspended.id, next.id, 'it registers afresh when it needs to');
  } finally {
    suspended.close();
    next.close();
    db.close();
    other.close();
  }
});
