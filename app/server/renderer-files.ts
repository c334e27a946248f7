// Where the built renderer is, and building it on first start: in a checkout (renderer sources
// beside dist/), `cairn serve` builds dist/renderer with the project's build script when it is
// missing or older than its sources, so that it works right after `npm install` and always
// serves what the sources say. An installed app has only dist/renderer and serves it as it is.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CairnError } from '../contract/index.ts';

/** The folder holding package.json above this file (the checkout, or the installed app). */
export function projectRoot(from: string = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'resources'))) return dir;
    if (dirname(dir) === dir) throw new CairnError('no-app-root', `Cannot find Cairn's own files above ${from}.`);
  }
}

interface BuildScript {
  rendererStale(root: string): Promise<boolean>;
  buildRenderer(root: string): Promise<string>;
}

/** The built renderer's folder, built first when it is missing or stale (`onBuild` says so). */
export async function ensureRenderer(onBuild: (message: string) => void = () => {}, root: string = projectRoot()): Promise<string> {
  const built = join(root, 'dist', 'renderer');
  const script = join(root, 'build.ts');
  if (!existsSync(join(root, 'renderer', 'index.html')) || !existsSync(script)) {
    if (existsSync(join(built, 'index.html'))) return built;
    throw new CairnError('no-renderer', `The window's files are missing (${built}); reinstall Cairn.`);
  }
  const build = (await import(pathToFileURL(script).href)) as BuildScript;
  if (await build.rendererStale(root)) {
    onBuild('Building the window (first start, or its sources changed)…');
    try {
      await build.buildRenderer(root);
    } catch (error) {
      throw new CairnError('renderer-build-failed', `Building the window failed: ${(error as Error).message} (try \`npm install\`, then \`npm run build\`).`, { cause: error });
    }
  }
  return built;
}
