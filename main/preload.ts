// The preload: exposes `window.cairn` and nothing else. Bundled as CommonJS (dist/preload.cjs),
// because a sandboxed preload cannot be an ES module.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createBridge } from './bridge.ts';

contextBridge.exposeInMainWorld('cairn', createBridge(ipcRenderer, (file) => webUtils.getPathForFile(file)));
