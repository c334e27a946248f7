// `cairn serve`: web mode, the Cairn window in a browser, on 127.0.0.1 until Ctrl-C or SIGTERM:
// the renderer and the contract (folders and mailboxes are watched meanwhile), with `--api` the
// OpenAI-compatible local API beside them. Prints a one-time address that signs a browser in.
import { CairnError } from '../contract/index.ts';
import { editableSettings } from '../service/settings.ts';
import { Service } from '../service/index.ts';
import { DEFAULT_API_PORT, ensureRenderer, LOOPBACK_HOST, resolveApiToken, startWebServer } from '../server/index.ts';
import { portOption } from './options.ts';
import { terminalLine, terminalText } from './terminal-text.ts';

export interface ServeCliValues {
  api?: boolean;
  port?: string;
  token?: string;
  host?: string;
}

export async function runServeCommand(dbPath: string, args: string[], values: ServeCliValues): Promise<number> {
  if (args.length > 0) throw new CairnError('usage', `cairn serve takes options only (got "${args.join(' ')}").`);
  if (values.host !== undefined && values.host !== LOOPBACK_HOST && values.host !== 'localhost') {
    throw new CairnError('usage', `Cairn listens on ${LOOPBACK_HOST} only, so that nothing outside this machine can reach your library (asked for ${values.host}). From another machine, forward the port over SSH.`);
  }
  const port = values.port === undefined ? DEFAULT_API_PORT : portOption(values.port, true);
  const logError = (error: unknown) => console.error(`cairn serve: ${terminalText(error instanceof Error ? (error.stack ?? error.message) : String(error))}`);
  const rendererDir = await ensureRenderer((message) => console.error(message));
  const service = await Service.open({ dbPath, live: true, onInternalError: logError });
  try {
    const { engine } = service.host;
    const { token: givenOrStored, source } = resolveApiToken(engine.library.settings, values.token);
    // --token holds for this run; otherwise the library's token, which Settings can replace.
    const apiToken = () => (source === 'given' ? givenOrStored : resolveApiToken(engine.library.settings).token);
    const openAiApi = () => values.api === true || editableSettings(engine).localApi.enabled;
    const server = await startWebServer({ service, rendererDir, apiToken, openAiApi, port, onError: logError });
    // The API shares this server's port (the local API's own port setting is the desktop app's).
    service.host.setLocalApiUrl(() => (openAiApi() ? `${server.origin}/v1` : null));
    try {
      console.log(`Open Cairn: ${server.loginUrl()}`);
      console.error('(The address works once: it signs this browser in. Scripts send the API token as "Authorization: Bearer <token>".)');
      if (values.api) {
        // Loaded now, so that the first request does not wait for it and the user sees what is served.
        console.error('Opening the models…');
        const chat = await engine.chatModel();
        const embedder = engine.currentEmbedder();
        console.log(`Cairn local API: ${server.origin}/v1`);
        console.log(`API token: ${apiToken()}`);
        console.error(`Chat model:      ${terminalLine('unavailable' in chat ? `none. ${chat.unavailable}` : chat.key)}`);
        console.error(`Embedding model: ${terminalLine('unavailable' in embedder ? `none. ${embedder.unavailable}` : embedder.key)}`);
        const kept = source === 'given' ? 'given with --token, not saved' : source === 'new' ? 'new, saved in the library for next time' : 'saved in the library';
        console.error(`Send the token (${kept}) as "Authorization: Bearer <token>"; model "cairn" means the model shown above.`);
      }
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
