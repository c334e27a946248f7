// The desktop app's actions a view uses (the system's file and folder pickers), and whether they
// work here. In a browser they do not, and the views offer a path field instead.
// (The contract's desktop.* methods are being added by the desktop app's work; until they are
// merged, the window behaves as in a browser.)

export interface ChooseOptions {
  pick: 'files' | 'folders';
  multiple?: boolean;
  title?: string;
  extensions?: string[];
}

export function useDesktop(): boolean {
  return false;
}

/** The system's open dialog; empty when the user cancelled. */
export async function choosePaths(_options: ChooseOptions): Promise<string[]> {
  return [];
}
