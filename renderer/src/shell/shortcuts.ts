// Keyboard shortcuts for the whole window, in one table so that Settings (and the shortcut list)
// can show them: Mod is Ctrl, or Cmd on a Mac.
import { useEffect, useRef } from 'react';

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

export interface Shortcut {
  /** 'Mod+N', 'Mod+1', 'Alt+3', 'Escape', 'Mod+K', 'Mod+Shift+L'. */
  keys: string;
  handler: (event: KeyboardEvent) => void;
  /** Also while typing in a field (default: only Escape and Mod combinations are). */
  inFields?: boolean;
}

function matches(keys: string, event: KeyboardEvent): boolean {
  const parts = keys.split('+');
  const key = parts.pop()!;
  const mod = parts.includes('Mod');
  const want = {
    ctrl: mod ? !isMac : parts.includes('Ctrl'),
    meta: mod ? isMac : false,
    alt: parts.includes('Alt'),
    shift: parts.includes('Shift'),
  };
  if (event.ctrlKey !== want.ctrl || event.metaKey !== want.meta || event.altKey !== want.alt || event.shiftKey !== want.shift) return false;
  // event.code for digits and letters, so Alt (which changes event.key on a Mac) still matches.
  if (/^\d$/.test(key)) return event.code === `Digit${key}` || event.code === `Numpad${key}`;
  if (/^[A-Z]$/.test(key)) return event.code === `Key${key}`;
  return event.key === key;
}

/** Shows a shortcut as people read it on this system: "Ctrl+N", "⌘N". */
export function shortcutLabel(keys: string): string {
  if (!isMac) return keys.replace('Mod', 'Ctrl');
  return keys.replace('Mod+', '⌘').replace('Alt+', '⌥').replace('Shift+', '⇧');
}

function inField(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  return !!element && (element.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(element.tagName));
}

/** Listens for the shortcuts while mounted; the table may change every render. */
export function useShortcuts(shortcuts: Shortcut[]): void {
  const latest = useRef(shortcuts);
  latest.current = shortcuts;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      for (const shortcut of latest.current) {
        if (!matches(shortcut.keys, event)) continue;
        const modified = event.ctrlKey || event.metaKey || event.altKey || shortcut.keys === 'Escape';
        if (inField(event.target) && !shortcut.inFields && !modified) continue;
        event.preventDefault();
        shortcut.handler(event);
        return;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

/** Search boxes register here so that Mod+K focuses the one of the view on screen. */
const searchTargets: HTMLElement[] = [];

export function useSearchTarget(ref: { current: HTMLElement | null }): void {
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    searchTargets.push(element);
    return () => {
      searchTargets.splice(searchTargets.indexOf(element), 1);
    };
  }, [ref]);
}

export function focusSearch(): void {
  const target = [...searchTargets].reverse().find((el) => el.isConnected && el.offsetParent !== null);
  target?.focus();
  if (target instanceof HTMLInputElement) target.select();
}
