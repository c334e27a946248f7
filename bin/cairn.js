#!/usr/bin/env node
// The `cairn` command (`npm link` puts it on PATH). Node 22.18 and newer run the TypeScript
// sources directly. This file is plain JavaScript that older ones can read too: it is run by
// whatever `node` is first on PATH, which may be older, and then hands over to the Node.js 22
// that `npm install` put into the project (the `node` devDependency), or says what to do.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const project = dirname(dirname(fileURLToPath(import.meta.url)));
const main = join(project, 'app', 'cli', 'main.ts');
const [major, minor] = process.versions.node.split('.').map(Number);

if (major > 22 || (major === 22 && minor >= 18)) {
  await import(pathToFileURL(main).href);
} else {
  const node = ['node', 'node.exe'].map((name) => join(project, 'node_modules', 'node', 'bin', name)).find((path) => existsSync(path));
  if (!node) {
    process.stderr.write(
      `Cairn needs Node.js 22.18 or newer; this is Node.js ${process.versions.node}. Run \`npm install\` in ${project} (it installs Node.js 22 into the project), or install Node.js 22 LTS.\n`,
    );
    process.exit(1);
  }
  const child = spawn(node, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
  // Ctrl-C reaches the child from the terminal itself (and a second one must mean "quit now" to
  // it, not two at once); other signals sent to this process alone are passed on.
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    process.stderr.write(`cairn: could not start ${node}: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    }
    process.exit(code ?? 1);
  });
}
