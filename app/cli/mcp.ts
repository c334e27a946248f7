// `cairn mcp`: the library as an MCP server over stdio, for Claude Desktop, Cursor, VS Code and
// other AI tools that start it as a child process. stdout carries the protocol and nothing else:
// every note, warning and error goes to stderr. It ends when the client closes stdin (or on
// Ctrl-C, SIGTERM).
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CairnError } from '../contract/index.ts';
import { Engine } from '../engine.ts';
import { createMcpServer } from '../mcp/index.ts';
import { terminalText } from './terminal-text.ts';
import { upgradeNotice } from './progress.ts';

export async function runMcpCommand(dbPath: string, args: string[]): Promise<number> {
  if (args.length > 0) throw new CairnError('usage', `cairn mcp takes no arguments (got "${args.join(' ')}"); the library is --db FILE or $CAIRN_DB.`);
  // Anything a library prints by mistake would corrupt the protocol.
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
  const engine = await Engine.open({ dbPath, description: 'cairn mcp', onUpgrade: upgradeNotice });
  try {
    const server = createMcpServer(engine);
    const transport = new StdioServerTransport();
    transport.onerror = (error) => console.error(`cairn mcp: ${terminalText(error.message)}`);
    const ended = new Promise<void>((resolve) => {
      process.stdin.once('end', resolve);
      process.stdin.once('close', resolve);
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.connect(transport);
    console.error(`Cairn MCP server on stdio, library ${terminalText(engine.library.path)}.`);
    await ended;
    await server.close();
  } finally {
    await engine.close();
  }
  return 0;
}
