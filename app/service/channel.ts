// The contract served over a message channel: requests in, responses and every event out. One
// interface for every kind of port, with adapters for Node's worker_threads MessagePort and
// Electron's MessagePortMain (typed by shape: app/ never imports electron).
import type { MessagePort as NodeMessagePort } from 'node:worker_threads';
import type { WireToUi } from '../contract/wire.ts';
import type { Service } from './service.ts';

export interface EngineChannel {
  send(message: WireToUi): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the other side is gone (the port closed). */
  onClose(listener: () => void): void;
  close(): void;
}

/**
 * Serves the contract on a channel until it closes (or the returned function is called). A
 * message that cannot be used is answered with an error; nothing a client sends can stop the engine.
 */
export function serveChannel(channel: EngineChannel, service: Service): () => void {
  let open = true;
  const send = (message: WireToUi) => {
    if (!open) return;
    try {
      channel.send(message);
    } catch {
      stop(); // the port went away under us
    }
  };
  const unsubscribe = service.onEvent((event) => send({ type: 'event', event }));
  channel.onMessage((raw) => {
    void service.dispatcher.handle(raw).then(send);
  });
  const stop = () => {
    if (!open) return;
    open = false;
    unsubscribe();
  };
  channel.onClose(stop);
  return () => {
    stop();
    channel.close();
  };
}

/** A worker_threads MessagePort (tests, a plain-Node host). */
export function nodePortChannel(port: NodeMessagePort): EngineChannel {
  return {
    send: (message) => port.postMessage(message),
    onMessage: (listener) => port.on('message', listener),
    onClose: (listener) => port.once('close', listener),
    close: () => port.close(),
  };
}

/** What the engine needs of Electron's MessagePortMain (utilityProcess gets one from main). */
export interface ElectronPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  start(): void;
  close(): void;
}

export function electronPortChannel(port: ElectronPortLike): EngineChannel {
  return {
    send: (message) => port.postMessage(message),
    onMessage: (listener) => {
      port.on('message', (event) => listener(event.data));
      port.start();
    },
    onClose: (listener) => port.on('close', listener),
    close: () => port.close(),
  };
}
