// A local file server for download tests (127.0.0.1 only): serves byte buffers by path with HEAD
// and Range support, like Hugging Face's CDN, and logs each request. `cutAt` makes it misbehave:
// every response stops at that byte offset of the file and the connection is closed.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServedRequest {
  method: string;
  path: string;
  /** The Range header as sent, or null. */
  range: string | null;
  /** First byte asked for (0 without a Range). */
  start: number;
}

export interface FileServer {
  url(path: string): string;
  files: Map<string, Buffer>;
  requests: ServedRequest[];
  /** Bytes of file data written to clients so far. */
  bytesSent: number;
  /** While set, responses are cut at this file offset and their connection destroyed. */
  cutAt: number | null;
  /** While true, responses send their headers and then nothing (a stalled connection). */
  stall: boolean;
  /** While set, responses send the file up to this offset and then wait, the connection open (a download in progress). */
  pauseAt: number | null;
  close(): Promise<void>;
}

export async function startFileServer(files: Record<string, Buffer> = {}): Promise<FileServer> {
  const state: FileServer = {
    url: () => '',
    files: new Map(Object.entries(files)),
    requests: [],
    bytesSent: 0,
    cutAt: null,
    stall: false,
    pauseAt: null,
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const rangeHeader = req.headers.range ?? null;
    const match = /^bytes=(\d+)-(\d*)$/.exec(rangeHeader ?? '');
    const data = state.files.get(path);
    state.requests.push({ method: req.method ?? 'GET', path, range: rangeHeader, start: match ? Number(match[1]) : 0 });
    if (!data) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Entry not found');
      return;
    }
    let start = 0;
    let end = data.length - 1;
    if (match) {
      start = Number(match[1]);
      if (match[2]) end = Math.min(Number(match[2]), data.length - 1);
      if (start >= data.length) {
        res.writeHead(416, { 'content-range': `bytes */${data.length}` }).end();
        return;
      }
    }
    res.writeHead(match ? 206 : 200, {
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
      'content-length': end - start + 1,
      ...(match ? { 'content-range': `bytes ${start}-${end}/${data.length}` } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    if (state.stall) {
      res.flushHeaders();
      return; // never another byte
    }
    if (state.pauseAt !== null && end >= state.pauseAt) {
      const part = data.subarray(start, Math.max(start, state.pauseAt));
      state.bytesSent += part.length;
      res.write(part);
      return; // the rest never comes while this connection lasts
    }
    if (state.cutAt !== null && end >= state.cutAt) {
      const part = data.subarray(start, Math.max(start, state.cutAt));
      state.bytesSent += part.length;
      // Ended, not destroyed: the client receives every byte written, then a connection closed too early.
      res.write(part, () => res.socket?.end());
      return;
    }
    const body = data.subarray(start, end + 1);
    state.bytesSent += body.length;
    res.end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  state.url = (path) => `http://127.0.0.1:${port}${path}`;
  state.close = async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  };
  return state;
}
