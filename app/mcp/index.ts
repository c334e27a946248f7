// Cairn's library as an MCP server (Model Context Protocol) for AI tools: read-only tools and
// document resources, over stdio (`cairn mcp`) or Streamable HTTP (/mcp beside the local API).
export { createMcpServer, documentUri, DOCUMENT_URI_PREFIX, type McpLibrary, type McpServerOptions } from './server.ts';
export { MCP_PATH, mcpRoutes, type McpRoutesOptions } from './http.ts';
export { assemble, type TextSlice } from './document-text.ts';
