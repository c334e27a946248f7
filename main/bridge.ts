// What the preload exposes as `window.cairn` (CairnBridge: send, onMessage, pathForFile), and
// nothing else (no ipcRenderer, no Node). It asks main for a port to the engine when the page
// starts and takes each new one main hands it (after an engine restart), keeping `window.cairn`
// the same object; `desktop.*` requests go to main instead, which answers them. pathForFile gives
// the path of a file dropped on the window (the renderer adds it to the library).
import { EngineChannel } from './engine-channel.ts';
import { IPC } from './ipc-channels.ts';
import type { CairnBridge, WireRequest } from '../app/contract/wire.ts';

/** What the preload needs of ipcRenderer. */
export interface PreloadIpc {
  on(channel: string, listener: (event: { ports: readonly MessagePort[] }, message?: unknown) => void): unknown;
  send(channel: string): void;
  invoke(channel: string, message: unknown): Promise<unknown>;
}

/** Builds `window.cairn` over ipcRenderer and webUtils.getPathForFile (fakes in tests). */
export function createBridge(ipc: PreloadIpc, pathForFile: (file: File) => string): Required<CairnBridge> {
  const channel = new EngineChannel<MessagePort>({
    post: (port, message) => port.postMessage(message),
    listen: (port, onData) => {
      port.onmessage = (event) => onData(event.data);
    },
    close: (port) => port.close(),
  });
  ipc.on(IPC.port, (event) => {
    const port = event.ports[0];
    if (port) channel.attach(port);
  });
  ipc.on(IPC.engine, (_event, message) => channel.fromHost(message));
  ipc.send(IPC.connect);

  const toMain = (request: WireRequest) => {
    ipc.invoke(IPC.desktop, request).then(
      (response) => channel.deliver(response),
      (error: unknown) => channel.deliver({ type: 'response', id: request.id, error: { code: 'internal', message: `The desktop app could not answer: ${(error as Error).message}` } }),
    );
  };
  // Only plain functions cross to the page: never the channel or ipcRenderer themselves.
  return {
    send: (message) => {
      if (typeof message?.method === 'string' && message.method.startsWith(IPC.desktopMethodPrefix)) toMain(message);
      else channel.send(message);
    },
    onMessage: (listener) => channel.onMessage(listener),
    pathForFile: (file) => pathForFile(file),
  };
}
