// The local API switch of the desktop's engine process: the OpenAI-compatible API runs on
// 127.0.0.1 while the setting says so, restarted when its port or token changes. (`cairn serve`
// serves the same routes on its own server instead; see app/server.)
import { resolveApiToken, startApiServer, type ApiServer } from '../server/index.ts';
import type { Service } from './service.ts';
import { editableSettings } from './settings.ts';

export class LocalApiSwitch {
  private readonly service: Service;
  private readonly onError: (error: unknown) => void;
  private running: { server: ApiServer; key: string } | null = null;
  /** Changes applied one after another. */
  private queue: Promise<void> = Promise.resolve();

  constructor(service: Service, onError: (error: unknown) => void) {
    this.service = service;
    this.onError = onError;
  }

  /** Starts, stops or restarts the API to match the settings now. */
  apply(): Promise<void> {
    this.queue = this.queue.then(() => this.reconcile()).catch(this.onError);
    return this.queue;
  }

  /** Where it listens now, or null when it is off. */
  get baseUrl(): string | null {
    return this.running?.server.baseUrl ?? null;
  }

  private async reconcile(): Promise<void> {
    const { engine } = this.service.host;
    const { localApi } = editableSettings(engine);
    const token = resolveApiToken(engine.library.settings).token;
    const key = localApi.enabled ? `${localApi.port}:${token}` : '';
    if (this.running?.key === key) return;
    await this.running?.server.close();
    this.running = null;
    if (!key) return;
    const server = await startApiServer({ engine, token, port: localApi.port, onError: this.onError, appendSources: () => editableSettings(engine).localApi.appendSources });
    this.running = { server, key };
  }

  async close(): Promise<void> {
    await this.queue;
    await this.running?.server.close();
    this.running = null;
  }
}
