// The IPC transport (the Electron window): the preload's `window.cairn` bridge to the engine's
// MessagePort, carrying the contract's wire messages.
import { wireTransport, type Transport } from '../../../app/contract/client.ts';
import type { CairnBridge } from '../../../app/contract/wire.ts';

export function ipcTransport(bridge: CairnBridge): Transport {
  return wireTransport({ send: (message) => bridge.send(message), onMessage: (listener) => bridge.onMessage(listener) });
}
