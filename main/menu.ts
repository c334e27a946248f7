// The application menu: the usual shortcuts through Electron's roles (which also give macOS its
// app menu: About, Hide, Quit with ⌘Q), and Cairn's own items: add files to the library, watch a
// folder, show the library's folder. Reload and the developer tools only in development.
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  addFiles(): void;
  watchFolder(): void;
  showLibraryFolder(): void;
}

export function menuTemplate(platform: NodeJS.Platform, actions: MenuActions, options: { development: boolean }): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'Add Files…', accelerator: 'CmdOrCtrl+O', click: () => actions.addFiles() },
      { label: 'Watch Folder…', accelerator: 'CmdOrCtrl+Shift+O', click: () => actions.watchFolder() },
      { type: 'separator' },
      { label: 'Show Library Folder', click: () => actions.showLibraryFolder() },
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      ...(options.development ? ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as MenuItemConstructorOptions[]) : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  return [
    ...(mac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    file,
    { role: 'editMenu', label: '&Edit' },
    view,
    { role: 'windowMenu', label: '&Window' },
  ];
}
