// The engine process: opens the library and serves the contract on every MessagePort its host
// hands it, so that a long import or an answer never blocks a window.
//
// In Electron, main starts it with `utilityProcess.fork('dist/engine.js', ['--db', FILE])` and
// sends `{type: 'connect'}` with a MessagePortMain in the message's ports (one per window); in
// plain Node it runs as a worker thread (`new Worker('dist/engine.js', {argv: ['--db', FILE]})`)
// and gets `{type: 'connect', port}`. Either way it answers `ready` (or `failed`) on the parent
// port, and `shutdown` closes it cleanly. See HostToEngine / EngineToHost in app/contract/wire.ts.
// Options: --db FILE; --no-watch (tests); --description TEXT (what other processes see while this
// one watches the library: the desktop app says "the Cairn app"); --host-secrets TEXT (the host
// keeps secrets, answering `secret` requests; TEXT says where, for people).
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort as workerParent, type MessagePort as NodeMessagePort } from 'node:worker_threads';
import { CairnError } from '../contract/index.ts';
import { HostToEngine, type EngineToHost } from '../contract/wire.ts';
import { openSecretStore } from '../sources/index.ts';
import { resolveLibraryPath } from '../store/index.ts';
import { HostSecretStore } from './host-secrets.ts';
import { LocalApiSwitch } from './local-api.ts';
import { electronPortChannel, nodePortChannel, serveChannel, type ElectronPortLike, type EngineChannel } from './channel.ts';
import { Service } from './service.ts';

/** Electron's `process.parentPort` in a utilityProcess (not in Node's types). */
interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown; ports: ElectronPortLike[] }) => void): void;
}

interface Parent {
  post(message: EngineToHost): void;
  onMessage(listener: (message: unknown, port: EngineChannel | null) => void): void;
}

function parentOf(): Parent | null {
  const electron = (process as { parentPort?: ElectronParentPort }).parentPort;
  if (electron) {
    return {
      post: (message) => electron.postMessage(message),
      onMessage: (listener) => electron.on('message', (event) => listener(event.data, event.ports[0] ? electronPortChannel(event.ports[0]) : null)),
    };
  }
  if (!isMainThread && workerParent) {
    const parent = workerParent;
    return {
      post: (message) => parent.postMessage(message),
      onMessage: (listener) =>
        parent.on('message', (data: unknown) => {
          const port = (data as { port?: NodeMessagePort } | null)?.port;
          listener(data, port ? nodePortChannel(port) : null);
        }),
    };
  }
  return null;
}

export async function runEngineProcess(argv: string[]): Promise<void> {
  const parent = parentOf();
  if (!parent) {
    console.error('cairn engine: start me from the desktop app (utilityProcess) or as a worker thread; for the terminal, use `cairn`.');
    process.exitCode = 2;
    return;
  }
  const { values } = parseArgs({
    args: argv,
    options: { db: { type: 'string' }, 'no-watch': { type: 'boolean' }, description: { type: 'string' }, 'host-secrets': { type: 'string' } },
    strict: false,
  });
  const dbPath = resolveLibraryPath(typeof values.db === 'string' ? values.db : undefined);
  // The desktop app keeps secrets itself (safeStorage) and says where, for people.
  const secrets = typeof values['host-secrets'] === 'string'
    ? new HostSecretStore((message) => parent.post(message), values['host-secrets'], () => openSecretStore(dirname(dbPath), () => {}))
    : undefined;
  const waiting: EngineChannel[] = [];
  let service: Service | null = null;
  let localApi: LocalApiSwitch | null = null;
  let stopping = false;
  parent.onMessage((raw, port) => {
    const message = HostToEngine.safeParse(raw);
    if (!message.success) return; // nothing from the host can stop the engine but `shutdown`
    if (message.data.type === 'secret-result') {
      secrets?.receive(message.data);
    } else if (message.data.type === 'connect' && port) {
      if (service) serveChannel(port, service);
      else waiting.push(port);
    } else if (message.data.type === 'shutdown' && !stopping) {
      stopping = true;
      void (async () => {
        await localApi?.close();
        await service?.close();
        parent.post({ type: 'stopped' });
        process.exit(0);
      })();
    }
  });
  try {
    service = await Service.open({
      dbPath,
      live: values['no-watch'] !== true,
      // The desktop app keeps this process's stderr in its log.
      onUpgrade: (from, to) => console.error(`cairn engine: upgrading the library's format (${from} → ${to})…`),
      // What other processes see while this one watches the library ("the Cairn app").
      ...(typeof values.description === 'string' ? { description: values.description } : {}),
      ...(secrets ? { secrets } : {}),
    });
  } catch (error) {
    parent.post({ type: 'failed', error: { code: error instanceof CairnError ? error.code : 'engine-failed', message: (error as Error).message } });
    process.exitCode = 1;
    // A worker thread must let go of its parent port to end; a process just exits.
    if (isMainThread) process.exit(1);
    workerParent?.close();
    return;
  }
  for (const port of waiting.splice(0)) serveChannel(port, service);
  // The OpenAI-compatible local API runs while the setting says so.
  const api = new LocalApiSwitch(service, (error) => console.error('cairn engine: local API:', error));
  localApi = api;
  // A change of its setting is answered once the API runs (or stopped), so Settings shows its address.
  service.host.onSettingsChanged(() => api.apply());
  service.host.setLocalApiUrl(() => api.baseUrl);
  await api.apply();
  parent.post({ type: 'ready', pid: process.pid, dbPath: service.host.engine.library.path });
}
