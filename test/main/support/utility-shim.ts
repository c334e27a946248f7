// Runs an engine-process entry the way Electron's utilityProcess does, in a plain Node child
// process: `process.parentPort` (Electron's) is made over Node's IPC channel, and each port the
// parent hands over is a MessagePortMain look-alike whose other end is in the parent, relayed over
// the same channel. Started by node-utility.ts: `node utility-shim.ts ENTRY ARGS...`.
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';

type FromParent = { kind: 'parent'; data: unknown; ports: number[] } | { kind: 'port'; id: number; data: unknown } | { kind: 'port-close'; id: number };

const send = (message: unknown) => {
  if (process.connected) process.send?.(message);
};

/** Like MessagePortMain, it holds messages until start(). */
class RelayPort extends EventEmitter {
  readonly id: number;
  #held: unknown[] | null = [];
  constructor(id: number) {
    super();
    this.id = id;
  }
  receive(data: unknown): void {
    if (this.#held) this.#held.push(data);
    else this.emit('message', { data });
  }
  postMessage(data: unknown): void {
    send({ kind: 'port', id: this.id, data });
  }
  start(): void {
    const held = this.#held ?? [];
    this.#held = null;
    for (const data of held) this.emit('message', { data });
  }
  close(): void {
    send({ kind: 'port-close', id: this.id });
    this.emit('close');
  }
}

const [entry, ...args] = process.argv.slice(2);
if (!entry) throw new Error('usage: utility-shim.ts ENTRY [ARGS...]');
process.argv = [process.argv[0]!, entry, ...args];

const ports = new Map<number, RelayPort>();
type ParentEvent = { data: unknown; ports: RelayPort[] };
const parentListeners: ((event: ParentEvent) => void)[] = [];
// Like Electron's parentPort, messages wait until something listens (the entry takes a while to load).
const early: ParentEvent[] = [];
(process as unknown as { parentPort: unknown }).parentPort = {
  postMessage: (data: unknown) => send({ kind: 'parent', data }),
  on: (_event: 'message', listener: (event: ParentEvent) => void) => {
    parentListeners.push(listener);
    for (const event of early.splice(0)) listener(event);
  },
};
process.on('message', (raw) => {
  const message = raw as FromParent;
  if (message.kind === 'parent') {
    const handed = message.ports.map((id) => {
      const port = new RelayPort(id);
      ports.set(id, port);
      return port;
    });
    const event = { data: message.data, ports: handed };
    if (parentListeners.length === 0) early.push(event);
    for (const listener of parentListeners) listener(event);
  } else if (message.kind === 'port') {
    ports.get(message.id)?.receive(message.data);
  } else if (message.kind === 'port-close') {
    ports.get(message.id)?.emit('close');
    ports.delete(message.id);
  }
});
// Like a utilityProcess, it lives while its parent does.
process.on('disconnect', () => process.exit(0));

await import(pathToFileURL(entry).href);
