// Where a library lives when the user names none: the platform's per-user data directory.
import { homedir, platform } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(): string {
  const home = homedir();
  if (platform() === 'darwin') return join(home, 'Library', 'Application Support', 'Cairn');
  if (platform() === 'win32') return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Cairn');
  return join(process.env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'cairn');
}

/** `--db` beats CAIRN_DB beats the default. */
export function resolveLibraryPath(explicit?: string): string {
  return explicit ?? process.env.CAIRN_DB ?? join(defaultDataDir(), 'library.db');
}
