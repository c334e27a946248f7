// The desktop app's actions a view uses (the system's file and folder pickers), and whether they
// work here (`desktop.info`, asked once). In a browser they do not, and the views offer a path
// field instead.
import { useEffect } from 'react';
import type { ChoosePaths } from '../../../app/contract/api.ts';
import { desktopInfo, knownDesktopInfo } from '../api/desktop.ts';
import { api } from '../api/index.ts';
import { createStore, useStore } from './store.ts';

export type ChooseOptions = ChoosePaths;

const available = createStore(knownDesktopInfo()?.available ?? false);

/** Whether the desktop actions work here: false until `desktop.info` said so, and in a browser. */
export function useDesktop(): boolean {
  // The answer is cached: asking again is free once it came (and asks anew after a failure).
  useEffect(() => void desktopInfo().then((info) => available.set(info.available)), []);
  return useStore(available);
}

/** The system's open dialog; empty when the user cancelled. */
export async function choosePaths(options: ChooseOptions): Promise<string[]> {
  return (await api.desktop.choosePaths(options)).paths;
}
