// The one client the renderer uses. The transport is chosen here, once, at start: IPC when the
// Electron preload exposed `window.cairn`, else HTTP + Server-Sent Events (a browser against
// `cairn serve`). No other renderer code knows which.
import { createClient, type CairnClient } from '../../../app/contract/client.ts';
import type { CairnBridge } from '../../../app/contract/wire.ts';
import { httpTransport } from './http.ts';
import { ipcTransport } from './ipc.ts';

declare global {
  interface Window {
    cairn?: CairnBridge;
  }
}

export function connect(): CairnClient {
  const transport = window.cairn ? ipcTransport(window.cairn) : httpTransport();
  return createClient(transport, { onProblem: (message) => console.warn(`cairn: ${message}`) });
}

export const client = connect();
export const api = client.api;
export type { CairnClient };
