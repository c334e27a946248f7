// What only the desktop app can do: the contract's `desktop.*` actions (answered by Electron's main
// process; a browser's `cairn serve` says they are not available) and a dropped file's path, found
// on `window.cairn`. The window works without each of these (web mode) and says so where it matters.
import type { DesktopInfo } from '../../../app/contract/api.ts';
import type { CairnBridge } from '../../../app/contract/wire.ts';
import { api } from './index.ts';

export interface DesktopBridge extends CairnBridge {
  /** The path of a dropped file (Electron's webUtils.getPathForFile); browsers never give one. */
  pathForFile?(file: File): string;
}

export function desktop(): DesktopBridge | null {
  return (window.cairn as DesktopBridge | undefined) ?? null;
}

/** Paths of dropped files and folders, or null where the window cannot know them (a browser). */
export function droppedPaths(files: FileList): string[] | null {
  const bridge = desktop();
  if (!bridge?.pathForFile) return null;
  const paths = [...files].map((file) => bridge.pathForFile!(file)).filter((path) => path.length > 0);
  return paths.length ? paths : null;
}

const NOT_HERE: DesktopInfo = { available: false, platform: null };
let known: DesktopInfo | null = null;
let asking: Promise<DesktopInfo> | null = null;

/**
 * Whether the desktop actions work here, asked once (`desktop.info`). A failed question counts as
 * "not here" and is asked again next time.
 */
export function desktopInfo(): Promise<DesktopInfo> {
  asking ??= api.desktop.info({}).then(
    (info) => (known = info),
    () => {
      asking = null;
      return NOT_HERE;
    },
  );
  return asking;
}

/** The answer of `desktop.info` once it came; null before. */
export function knownDesktopInfo(): DesktopInfo | null {
  return known;
}

/**
 * Opens a web address outside the window: the desktop app opens the system's browser; a browser, a
 * new tab that cannot reach back to this page (noopener, no referrer). Rejects with the reason
 * when the system could not open it.
 */
export async function openExternal(url: string): Promise<void> {
  if (!/^https?:\/\//i.test(url)) return;
  // Decided at once when already known: a browser lets a click open a tab only while it is fresh.
  const info = known ?? (await desktopInfo());
  if (info.available) await api.desktop.openExternal({ url });
  else window.open(url, '_blank', 'noopener,noreferrer');
}
