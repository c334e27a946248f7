// What only the desktop app can do, found on `window.cairn` when its preload provides it. The
// window works without each of these (web mode) and says so where it matters.
import type { CairnBridge } from '../../../app/contract/wire.ts';

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

/**
 * Opens a web address outside the window: in a browser, a new tab that cannot reach back to this
 * page (noopener, no referrer); the desktop app opens the system's browser.
 */
export function openExternal(url: string): void {
  if (!/^https?:\/\//i.test(url)) return;
  window.open(url, '_blank', 'noopener,noreferrer');
}
