// `cairn serve --api`: the OpenAI-compatible local API on 127.0.0.1 until Ctrl-C or SIGTERM.
// (`cairn serve` alone, web mode for the UI, comes later on the same HTTP core.)
import { CairnError } from '../contract/index.ts';
import type { Engine } from '../engine.ts';
import { DEFAULT_API_PORT, LOOPBACK_HOST, resolveApiToken, startApiServer } from '../server/index.ts';
import { portOption } from './options.ts';
import { terminalLine, terminalText } from './terminal-text.ts';

export interface ServeCliValues {
  api?: boolean;
  port?: string;
  token?: string;
  host?: string;
}

export async function runServeCommand(engine: Engine, args: string[], values: ServeCliValues): Promise<number> {
  if (args.length > 0) throw new CairnError('usage', `cairn serve takes options only (got "${args.join(' ')}").`);
  if (!values.api) {
    throw new CairnError('usage', 'Web mode (`cairn serve` for the Cairn window in a browser) is not there yet. `cairn serve --api` starts the OpenAI-compatible local API.');
  }
  if (values.host !== undefined && values.host !== LOOPBACK_HOST && values.host !== 'localhost') {
    throw new CairnError('usage', `The local API listens on ${LOOPBACK_HOST} only, so that nothing outside this machine can reach your library (asked for ${values.host}). From another machine, forward the port over SSH.`);
  }
  const port = values.port === undefined ? DEFAULT_API_PORT : portOption(values.port, true);
  const { token, source } = resolveApiToken(engine.library.settings, values.token);

  // Loaded now, so that the first request does not wait for it and the user sees what is served.
  console.error('Opening the models…');
  const chat = await engine.chatModel();
  const embedder = engine.currentEmbedder();
  const server = await startApiServer({
    engine,
    token,
    port,
    onError: (error) => console.error(`cairn serve: ${terminalText(error instanceof Error ? (error.stack ?? error.message) : String(error))}`),
  });

  console.log(`Cairn local API: ${server.baseUrl}`);
  console.log(`API token: ${token}`);
  console.error(`Chat model:      ${terminalLine('unavailable' in chat ? `none. ${chat.unavailable}` : chat.key)}`);
  console.error(`Embedding model: ${terminalLine('unavailable' in embedder ? `none. ${embedder.unavailable}` : embedder.key)}`);
  const kept = source === 'given' ? 'given with --token, not saved' : source === 'new' ? 'new, saved in the library for next time' : 'saved in the library';
  console.error(`Send the token (${kept}) as "Authorization: Bearer <token>"; model "cairn" means the model shown above.`);
  console.error('Ctrl-C stops the server.');

  const stopping = await new Promise<NodeJS.Signals>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  // A second Ctrl-C while requests wind down quits at once.
  const force = () => process.exit(130);
  process.on('SIGINT', force);
  process.on('SIGTERM', force);
  try {
    console.error(`\n${stopping === 'SIGINT' ? 'Ctrl-C' : stopping}: stopping the server…`);
    await server.close();
    return 0;
  } finally {
    process.off('SIGINT', force);
    process.off('SIGTERM', force);
  }
}
