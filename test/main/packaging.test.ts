// Packaging, as far as it can be checked without Electron's binary: electron-builder.yml passes
// electron-builder's own schema and asks for the targets the app ships (AppImage and deb, dmg for
// arm64 and x64, nsis), package.json starts the built main, and every native binary the app ships
// is Node-API, so that it loads in Electron without a rebuild for Electron's ABI.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util/out/DebugLogger.js';
import { ROOT } from '../../build.ts';

test('electron-builder.yml is valid and packages what the app runs', async () => {
  const config = await getConfig(ROOT, null, null);
  await validateConfiguration(config, new DebugLogger(false));
  assert.deepEqual(config.linux?.target, ['AppImage', 'deb']);
  assert.deepEqual(config.mac?.target, [{ target: 'dmg', arch: ['arm64', 'x64'] }]);
  assert.deepEqual(config.win?.target, [{ target: 'nsis', arch: ['x64'] }]);
  assert.equal(config.npmRebuild, false);
  // electron-builder reads the list into one filter.
  const files = (config.files as { filter: string[] }[]).flatMap((set) => set.filter);
  for (const pattern of ['dist/**', '!dist/**/*.map', 'package.json', 'resources/**']) assert.ok(files.includes(pattern), pattern);
  const unpacked = config.asarUnpack as string[];
  for (const pattern of ['node_modules/better-sqlite3/**', 'node_modules/sqlite-vec*/**', 'node_modules/node-llama-cpp/**', 'node_modules/@node-llama-cpp/**', '**/*.node']) assert.ok(unpacked.includes(pattern), pattern);
  assert.equal(config.win?.fileAssociations, undefined, "the NSIS installer would take over the user's default apps");
  assert.equal(statSync(join(ROOT, 'resources', 'desktop', 'icon.png')).isFile(), true);

  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };
  assert.equal(pkg.main, 'dist/main.cjs');
  assert.match(pkg.scripts.start!, /node build\.ts && electron \./);
  assert.match(pkg.scripts.dist!, /node build\.ts && electron-builder/);
  for (const name of ['electron', 'electron-builder']) {
    assert.ok(pkg.devDependencies[name], `${name} in devDependencies`);
    assert.equal(pkg.dependencies[name], undefined, `${name} is not shipped inside the app`);
  }
});

test('every native binary the app ships is Node-API: it loads in Electron without being rebuilt', () => {
  const packages = execFileSync('npm', ['ls', '--omit=dev', '--parseable', '--all'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes('node_modules'));
  const binaries: string[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules') visit(path);
      else if (entry.isFile() && entry.name.endsWith('.node')) binaries.push(path);
    }
  };
  for (const dir of packages) visit(dir);
  const names = binaries.map((file) => relative(join(ROOT, 'node_modules'), file));
  assert.ok(names.some((name) => name.startsWith('better-sqlite3/')), names.join(', '));
  assert.ok(names.some((name) => name.startsWith('@node-llama-cpp/')), names.join(', '));
  for (const file of binaries) {
    const bytes = readFileSync(file);
    // A Node-API addon registers with napi_register_module_v1; one built against a Node ABI exports node_register_module_v<ABI>.
    assert.ok(bytes.includes('napi_register_module_v1'), `${relative(ROOT, file)} is Node-API`);
    assert.ok(!bytes.includes('node_register_module_v'), `${relative(ROOT, file)} is not tied to one Node ABI`);
  }
});
