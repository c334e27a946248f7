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
