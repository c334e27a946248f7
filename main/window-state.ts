// The window opens where it was left: its size and position (and whether it was maximized) are
// kept in the app's folder, and brought back only where they still fit a screen (a monitor that
// was unplugged must not leave the window out of sight).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface Bounds {
  width: number;
  height: number;
  x?: number;
  y?: number;
}

export interface WindowState {
  bounds: Required<Bounds>;
  maximized: boolean;
}

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_BOUNDS: Bounds = { width: 1200, height: 800 };
const MIN = { width: 720, height: 480 };
/** How much of the window's top edge must lie on a screen to reach its title bar. */
const VISIBLE = 80;

function isState(value: unknown): value is WindowState {
  const state = value as WindowState | null;
  const b = state?.bounds;
  return typeof state?.maximized === 'boolean' && !!b && [b.x, b.y, b.width, b.height].every((n) => Number.isFinite(n));
}

/**
 * The bounds to open with: the saved ones when their title bar lies on one of the screens' work
 * areas (clamped to that screen's size), else the default size, centred by the system.
 */
export function restoreBounds(saved: WindowState | null, workAreas: Rectangle[]): Bounds {
  if (!saved) return DEFAULT_BOUNDS;
  const { x, y, width, height } = saved.bounds;
  const screen = workAreas.find((area) => {
    const overlap = Math.min(x + width, area.x + area.width) - Math.max(x, area.x);
    return overlap >= Math.min(VISIBLE, width) && y >= area.y && y < area.y + area.height - VISIBLE / 2;
  });
  if (!screen) return DEFAULT_BOUNDS;
  return {
    x,
    y,
    width: Math.max(MIN.width, Math.min(width, screen.width)),
    height: Math.max(MIN.height, Math.min(height, screen.height)),
  };
}

export function readWindowState(file: string): WindowState | null {
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return isState(value) ? value : null;
  } catch {
    return null; // none yet, or unreadable: the default is fine
  }
}

export function writeWindowState(file: string, state: WindowState): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(state));
  renameSync(temp, file);
}

/** What remembering needs of a window. */
export interface TrackedWindow {
  getNormalBounds(): Rectangle;
  isMaximized(): boolean;
  isMinimized(): boolean;
  isDestroyed(): boolean;
  on(event: 'resize' | 'move' | 'close' | 'maximize' | 'unmaximize', listener: () => void): unknown;
}

/** Saves the window's state when it is moved, resized or closed (moves a second apart at most). */
export function rememberWindowState(window: TrackedWindow, save: (state: WindowState) => void, delayMs = 1000): void {
  let timer: NodeJS.Timeout | null = null;
  const saveNow = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (window.isDestroyed() || window.isMinimized()) return;
    const { x, y, width, height } = window.getNormalBounds();
    try {
      save({ bounds: { x, y, width, height }, maximized: window.isMaximized() });
    } catch {
      // A read-only profile: the window opens at its default place next time.
    }
  };
  const soon = () => {
    if (!timer) timer = setTimeout(saveNow, delayMs);
  };
  for (const event of ['resize', 'move', 'maximize', 'unmaximize'] as const) window.on(event, soon);
  window.on('close', saveNow);
}
