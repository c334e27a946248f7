// A utilityProcess for tests: a real child process (its own pid, killable) running an engine
// entry through utility-shim.ts, and MessageChannelMain look-alikes whose ends are relayed to it.
// Main's EngineHost drives it exactly as it drives Electron's.
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { HostToEngine } from '../../../app/contract/wire.ts';
import type { EngineProcess } from '../../../main/engine-host.ts';

const SHIM = join(import.meta.dirname, 'utility-shim.ts');
let nextPortId = 1;

/** A MessagePortMain look-alike: on('message', ({data}) => …), postMessage, start, close. */
export class RelayedPort extends EventEmitter {
  peer: RelayedPort | null = null;
  /** Set on the end handed to a child: where its messages go. */
  link: { child: ChildProcess; id: number } | null = null;
  postMessage(data: unknown): void {
    const link = this.peer?.link;
    if (link?.child.connected) link.child.send({ kind: 'port', id: link.id, data });
  }
  start(): void {}
  close(): void {
    const link = this.peer?.link;
    if (link?.child.connected) link.child.send({ kind: 'port-close', id: link.id });
  }
}

export function relayedChannel(): { port1: RelayedPort; port2: RelayedPort } {
  const port1 = new RelayedPort();
  const port2 = new RelayedPort();
  port1.peer = port2;
  port2.peer = port1;
  return { port1, port2 };
}

class NodeUtilityProcess extends EventEmitter implements EngineProcess<RelayedPort> {
  readonly child: ChildProcess;
  readonly #ports = new Map<number, RelayedPort>();

  constructor(entry: string, args: string[]) {
    super();
    this.child = fork(SHIM, [entry, ...args], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
    this.child.stderr?.resume();
    this.child.on('message', (raw) => {
      const message = raw as { kind: string; id?: number; data?: unknown };
      if (message.kind === 'parent') this.emit('message', message.data);
      else if (message.kind === 'port') this.#ports.get(message.id!)?.peer?.emit('message', { data: message.data });
      else if (message.kind === 'port-close') this.#ports.get(message.id!)?.peer?.emit('close');
    });
    this.child.on('exit', (code, signal) => this.emit('exit', code ?? (signal ? 128 + 9 : -1)));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  postMessage(message: HostToEngine, transfer: RelayedPort[] = []): void {
    const ids = transfer.map((port) => {
      const id = nextPortId++;
      port.link = { child: this.child, id };
      this.#ports.set(id, port);
      return id;
    });
    this.child.send({ kind: 'parent', data: message, ports: ids });
  }

  kill(): boolean {
    return this.child.kill('SIGKILL');
  }
}

export function forkNodeUtility(entry: string, args: string[]): NodeUtilityProcess {
  return new NodeUtilityProcess(entry, args);
}
