// MCP over Streamable HTTP at /mcp, behind the server's token and Host/Origin checks. Stateless:
// each POST gets its own MCP server and transport (the tools keep no session state), answered as
// JSON; there is no server-to-client stream to open, so GET and DELETE are 405.
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { sendJson, type Route } from '../server/http.ts';
import { createMcpServer, type McpLibrary, type McpServerOptions } from './server.ts';

export const MCP_PATH = '/mcp';

export interface McpRoutesOptions extends McpServerOptions {
  /** Whether /mcp answers now (the local API switch); off: 404. */
  enabled?: () => boolean;
  onError?(error: unknown): void;
}

export function mcpRoutes(library: McpLibrary, options: McpRoutesOptions = {}): Route[] {
  const rpcError = (id: unknown, code: number, message: string) => ({ jsonrpc: '2.0', error: { code, message }, id: id ?? null });
  const off = (res: Parameters<Route['handle']>[0]['res']) =>
    sendJson(res, 404, rpcError(null, -32000, 'MCP is off: start Cairn with `cairn serve --api`, or turn the local API on in Settings.'));
  const common = { remote: true, cors: true, errorBody: (error: { status: number; message: string }) => rpcError(null, -32000, error.message) } as const;
  return [
    {
      method: 'POST',
      path: MCP_PATH,
      ...common,
      handle: async ({ req, res, readJson }) => {
        if (options.enabled && !options.enabled()) return off(res);
        const body = await readJson();
        const server = createMcpServer(library, options);
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
        transport.onerror = (error) => options.onError?.(error);
        res.on('close', () => {
          void transport.close();
          void server.close();
        });
        await server.connect(transport);
        await transport.handleRequest(req, res, body);
      },
    },
    ...(['GET', 'DELETE'] as const).map(
      (method): Route => ({
        method,
        path: MCP_PATH,
        ...common,
        handle: async ({ res }) => {
          if (options.enabled && !options.enabled()) return off(res);
          sendJson(res, 405, rpcError(null, -32000, 'Method not allowed: this MCP server is stateless (POST only).'), { Allow: 'POST' });
        },
      }),
    ),
  ];
}
