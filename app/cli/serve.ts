// `cairn serve`: web mode, the Cairn window in a browser, on 127.0.0.1 until Ctrl-C or SIGTERM:
// the renderer and the contract (folders and mailboxes are watched meanwhile), with `--api` the
// OpenAI-compatible local API and MCP (/mcp) beside them. Prints a one-time address that signs a
// browser in. `--host ADDR --allow-host NAME` is the opt-in for containers (Open WebUI,
// LibreChat): the API and MCP, with the token, on another address too; the window stays local.
import { CairnError } from '../contract/index.ts';
import { editableSettings } from '../service/settings.ts';
import { Service } from '../service/index.ts';
import { DEFAULT_API_PORT, ensureRenderer, listenAddress, LOOPBACK_HOST, resolveApiToken, startWebServer } from '../server/index.ts';
import { portOption } from './options.ts';
import { terminalLine, terminalText } from './terminal-text.ts';
import { upgradeNotice } from './progress.ts';

export interface ServeCliValues {
  api?: boolean;
  port?: string;
  token?: string;
  host?: string;
  'allow-host'?: string[];
  'allow-origin'?: string[];
}

/** Host names as a Host header carries them: a name or an address, no scheme, port or path. */
function hostNames(values: string[]): string[] {
  for (const name of values) {
    if (!/^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])$/i.test(name)) {
      throw new CairnError('usage', `--allow-host takes a host name or address as clients address the server, such as host.docker.internal (got "${name}").`);
    }
  }
  return values;
}

/** Origins exactly as browsers send them: scheme://host[:port], nothing after. */
function origins(values: string[]): string[] {
  for (const origin of values) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(origin);
    } catch {
      // reported below
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
      throw new CairnError('usage', `--allow-origin takes an origin such as http://localhost:3000 (scheme, host and port, no path; got "${origin}").`);
    }
  }
  return values;
}

export async function runServeCommand(dbPath: string, args: string[], values: ServeCliValues): Promise<number> {
  if (args.length > 0) throw new CairnError('usage', `cairn serve takes options only (got "${args.join(' ')}").`);
  const allowedHosts = hostNames(values['allow-host'] ?? []);
  const allowedOrigins = origins(values['allow-origin'] ?? []);
  let host: string;
  try {
    host = listenAddress(values.host, allowedHosts);
  } catch (error) {
    throw new CairnError('usage', (error as Error).message);
  }
  if (allowedHosts.length && !values.api) throw new CairnError('usage', '--allow-host lets other machines reach the API and MCP: add --api to serve them.');
  const port = values.port === undefined ? DEFAULT_API_PORT : portOption(values.port, true);
  const logError = (error: unknown) => console.error(`cairn serve: ${terminalText(error instanceof Error ? (error.stack ?? error.message) : String(error))}`);
  const rendererDir = await ensureRenderer((message) => console.error(message));
  const service = await Service.open({ dbPath, live: true, onInternalError: logError, onUpgrade: upgradeNotice });
  try {
    const { engine } = service.host;
    const { token: givenOrStored, source } = resolveApiToken(engine.library.settings, values.token);
    // --token holds for this run; otherwise the library's token, which Settings can replace.
    const apiToken = () => (source === 'given' ? givenOrStored : resolveApiToken(engine.library.settings).token);
    const openAiApi = () => values.api === true || editableSettings(engine).localApi.enabled;
    const server = await startWebServer({
      service,
      rendererDir,
      apiToken,
      openAiApi,
      appendSources: () => editableSettings(engine).localApi.appendSources,
      port,
      ...(host === LOOPBACK_HOST ? {} : { host, allowedHosts }),
      ...(allowedOrigins.length ? { allowedOrigins } : {}),
      onError: logError,
    });
    // The API shares this server's port (the local API's own port setting is the desktop app's).
    service.host.setLocalApiUrl(() => (openAiApi() ? `${server.origin}/v1` : null));
    try {
      // The window is served to this machine only, whatever address the server also listens on.
      console.log(`Open Cairn: ${server.loginUrl().replace(`://${host}:`, `://${LOOPBACK_HOST}:`)}`);
      console.error('(The address works once: it signs this browser in. Scripts send the API token as "Authorization: Bearer <token>".)');
      if (values.api) {
        // Loaded now, so that the first request does not wait for it and the user sees what is served.
        console.error('Opening the models…');
        const chat = await engine.chatModel();
        const embedder = engine.currentEmbedder();
        const local = `http://${LOOPBACK_HOST}:${server.port}`;
        console.log(`Cairn local API: ${local}/v1`);
        console.log(`MCP (Streamable HTTP): ${local}/mcp`);
        console.log(`API token: ${apiToken()}`);
        console.error(`Chat model:      ${terminalLine('unavailable' in chat ? `none. ${chat.unavailable}` : chat.key)}`);
        console.error(`Embedding model: ${terminalLine('unavailable' in embedder ? `none. ${embedder.unavailable}` : embedder.key)}`);
        const kept = source === 'given' ? 'given with --token, not saved' : source === 'new' ? 'new, saved in the library for next time' : 'saved in the library';
        console.error(`Send the token (${kept}) as "Authorization: Bearer <token>"; model "cairn" means the model shown above.`);
      }
      if (host !== LOOPBACK_HOST) {
        console.error(
          `WARNING: Cairn also listens on ${host}:${server.port}: anything that can reach that address (containers, and other machines when it is not a private bridge) ` +
            `can use the API and MCP with the token, addressed as ${allowedHosts.join(', ')}. Your library's text goes to whoever holds the token; the window stays on this machine.`,
        );
      }
      if (allowedOrigins.length) console.error(`Pages on ${allowedOrigins.join(', ')} may call the API and MCP (with the token).`);
      console.error('Ctrl-C stops the server.');
      const stopping = await untilSignal();
      // A second Ctrl-C while requests wind down quits at once.
      const force = () => process.exit(130);
      process.on('SIGINT', force);
      process.on('SIGTERM', force);
      console.error(`\n${stopping === 'SIGINT' ? 'Ctrl-C' : stopping}: stopping the server…`);
    } finally {
      await server.close();
    }
  } finally {
    await service.close();
  }
  return 0;
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise<NodeJS.Signals>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
