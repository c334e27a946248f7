// Fakes of the few Electron objects main/ uses, behind the same narrow interfaces: a utilityProcess
// the test drives (it says ready, dies with a code), ports that record what went through them.
import { EventEmitter } from 'node:events';
import type { EngineStateEvent } from '../../app/contract/events.ts';
import type { HostToEngine, WireEvent } from '../../app/contract/wire.ts';
import type { EngineProcess, EngineTarget } from '../../main/engine-host.ts';

/** A port as main hands it out: it only records what it carries, and whether it was closed. */
export class FakePort {
  static next = 1;
  readonly id = FakePort.next++;
  closed = false;
}

/** A utilityProcess: records what main posts to it; the test makes it speak and exit. */
export class FakeEngineProcess extends EventEmitter implements EngineProcess<FakePort> {
  readonly posted: { message: HostToEngine; ports: FakePort[] }[] = [];
  killed = false;
  exited = false;

  postMessage(message: HostToEngine, transfer: FakePort[] = []): void {
    if (this.exited) throw new Error('the process is gone');
    this.posted.push({ message, ports: transfer });
  }

  kill(): boolean {
    this.killed = true;
    this.exit(-1);
    return true;
  }

  say(message: unknown): void {
    this.emit('message', message);
  }

  exit(code: number): void {
    if (this.exited) return;
    this.exited = true;
    this.emit('exit', code);
  }

  /** The ports it was handed with `connect`. */
  connected(): FakePort[] {
    return this.posted.filter((p) => p.message.type === 'connect').flatMap((p) => p.ports);
  }
}

/** A window or main itself, as the host sees it: the ports it got and the events it was told. */
export class FakeTarget implements EngineTarget<FakePort> {
  readonly ports: FakePort[] = [];
  readonly events: EngineStateEvent[] = [];
  attach(port: FakePort): void {
    this.ports.push(port);
  }
  notify(message: WireEvent): void {
    if (message.event.type === 'engine') this.events.push(message.event);
    else throw new Error(`the host only tells engine events, not ${message.event.type}`);
  }
}

/** Resolves once `check` holds, checking after each turn of the event loop (never a fixed sleep). */
export async function until(what: string, check: () => boolean, turns = 10_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (check()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`never happened: ${what}`);
}
