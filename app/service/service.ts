// The contract served: the engine host, the handlers of every method, the dispatcher in front of
// them, and the event stream, each event validated once before any channel sends it.
import { EngineEvent } from '../contract/index.ts';
import { describeIssues } from '../contract/wire.ts';
import type { EngineOptions } from '../engine.ts';
import { Dispatcher } from './dispatcher.ts';
import { createHandlers, type ServiceParts } from './handlers.ts';
import { EngineHost, type HostOptions } from './host.ts';

export interface ServiceOptions extends EngineOptions, HostOptions {
  /** Told about bugs: a handler that threw something unexpected, an event or a result the contract refuses. */
  onInternalError?: (error: unknown) => void;
}

export class Service {
  readonly host: EngineHost;
  readonly dispatcher: Dispatcher;
  private readonly parts: ServiceParts;
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private readonly onInternalError: (error: unknown) => void;

  private constructor(host: EngineHost, onInternalError: (error: unknown) => void) {
    this.host = host;
    this.onInternalError = onInternalError;
    this.parts = createHandlers(host);
    this.dispatcher = new Dispatcher(this.parts.handlers, onInternalError);
    host.onEvent((event) => {
      const parsed = EngineEvent.safeParse(event);
      if (!parsed.success) {
        this.onInternalError(new Error(`An event the contract refuses was dropped (${event.type}): ${describeIssues(parsed.error)}`));
        return;
      }
      for (const listener of this.listeners) listener(parsed.data);
    });
  }

  static async open(options: ServiceOptions): Promise<Service> {
    const host = await EngineHost.open(options);
    return new Service(host, options.onInternalError ?? ((error) => console.error('cairn engine:', error)));
  }

  /** Every event, validated. Returns a function that stops listening. */
  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops answers (kept, marked stopped) and downloads (resumable), then closes the engine. */
  async close(): Promise<void> {
    this.parts.models.cancelAll();
    await this.parts.answers.stopAll();
    await this.host.close();
    this.listeners.clear();
  }
}
