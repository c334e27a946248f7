// The app's life: one instance at a time (a second start hands its files to the first and quits),
// files opened with the app or dropped on its dock or taskbar icon go to the library, the engine
// is stopped cleanly before the app quits, and closing the last window quits except on macOS.
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

/** What the lifecycle needs of Electron's `app`. */
export interface LifecycleApp {
  requestSingleInstanceLock(): boolean;
  quit(): void;
  on(event: 'second-instance', listener: (event: unknown, argv: string[], workingDirectory: string) => void): unknown;
  on(event: 'open-file', listener: (event: { preventDefault(): void }, path: string) => void): unknown;
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'window-all-closed' | 'activate', listener: () => void): unknown;
}

export interface LifecycleHooks {
  platform: NodeJS.Platform;
  /** Started as `electron .` (development): the app's folder is the first argument, not a file. */
  defaultApp: boolean;
  /** Shows the window (making one when there is none) and brings it to the front. */
  showWindow(): void;
  /** Adds files and folders to the library. */
  importPaths(paths: string[]): void;
  /** Stops the engine cleanly (answers kept, downloads resumable, the library closed). */
  shutdown(): Promise<void>;
  exists?(path: string): boolean;
}

/**
 * The files and folders named on a command line (the app's own start, or a second start handed
 * over): switches and the app's own path are left out, relative paths are taken from the folder
 * it was started in, and only what exists is kept.
 */
export function pathsFromArgv(argv: readonly string[], workingDirectory: string, defaultApp: boolean, exists: (path: string) => boolean = existsSync): string[] {
  const args = argv.slice(1).filter((arg) => !arg.startsWith('-'));
  if (defaultApp) args.shift(); // `electron .`: the app's folder
  return args.map((arg) => (isAbsolute(arg) ? arg : resolve(workingDirectory, arg))).filter((path) => exists(path));
}

/**
 * Takes the single-instance lock and sets up the app's events. Returns false when another Cairn
 * already runs: this one has handed over its arguments (Electron's second-instance) and quits,
 * starting nothing.
 */
export function runLifecycle(app: LifecycleApp, hooks: LifecycleHooks, argv: readonly string[], workingDirectory: string): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  const exists = hooks.exists ?? existsSync;
  const importFrom = (args: readonly string[], cwd: string) => {
    const paths = pathsFromArgv(args, cwd, hooks.defaultApp, exists);
    if (paths.length) hooks.importPaths(paths);
  };

  app.on('second-instance', (_event, secondArgv, secondCwd) => {
    hooks.showWindow();
    importFrom(secondArgv, secondCwd);
  });
  // macOS: files dropped on the dock icon or opened with Cairn (also before the app is ready).
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (exists(path)) hooks.importPaths([path]);
  });
  app.on('window-all-closed', () => {
    if (hooks.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => hooks.showWindow());

  let stopping: Promise<void> | null = null;
  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    stopping ??= hooks.shutdown().catch(() => {}).then(() => {
      stopped = true;
      app.quit();
    });
  });

  importFrom(argv, workingDirectory);
  return true;
}
