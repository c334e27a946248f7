import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeSqlite, outsideAsar, vecExtensionPath } from '../../native/sqlite.ts';

test('sqlite-vec is found from source and from a packaged app’s unpacked archive', () => {
  assert.match(vecExtensionPath(), /vec0\.(so|dylib|dll)$/);
  const packed = '/opt/Cairn/resources/app.asar/node_modules/sqlite-vec-linux-x64/vec0.so';
  const unpacked = '/opt/Cairn/resources/app.asar.unpacked/node_modules/sqlite-vec-linux-x64/vec0.so';
  assert.equal(outsideAsar(packed, (p) => p === unpacked), unpacked);
  assert.equal(outsideAsar(packed, () => false), packed, 'no unpacked copy: leave the path alone');
  const windows = 'C:\\Cairn\\resources\\app.asar\\node_modules\\sqlite-vec-windows-x64\\vec0.dll';
  assert.equal(outsideAsar(windows, () => true), 'C:\\Cairn\\resources\\app.asar.unpacked\\node_modules\\sqlite-vec-windows-x64\\vec0.dll');
});

test('SQLite has FTS5 and sqlite-vec loaded', () => {
  const report = describeSqlite();
  assert.equal(report.fts5, true);
  assert.match(report.vecVersion, /^v0\.\d+\.\d+/);
  assert.match(report.sqliteVersion, /^3\.\d+\.\d+$/);
});
