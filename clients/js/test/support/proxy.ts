// A forwarding proxy in front of the real server, on another 127.0.0.1 port,
// that can play an older server (404 on the stream), a proxy that buffers
// streams (200 and then silence), an overloaded server (503 with
// Retry-After) or a gone one (closed), and records what the SDK sent.
import { createServer, request as forward, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { serverUrl } from './admin.js';

export type ProxyMode = 'pass' | 'no-stream' | 'silent-stream' | 'unavailable';

export interface SeenRequest {
  path: string;
  ifNoneMatch: string | undefined;
  lastEventId: string | undefined;
  /** The status answered (0 while a stream is still open). */
  status: number;
  at: number;
}

export class Proxy {
  mode: ProxyMode = 'pass';
  readonly seen: SeenRequest[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(mode: ProxyMode = 'pass'): Promise<Proxy> {
    const target = new URL(serverUrl);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new Proxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    proxy.mode = mode;
    server.on('request', (req, res) => {
      const path = req.url ?? '/';
      const seen: SeenRequest = {
        path,
        ifNoneMatch: header(req.headers['if-none-match']),
        lastEventId: header(req.headers['last-event-id']),
        status: 0,
        at: Date.now(),
      };
      proxy.seen.push(seen);
      const refuse = (status: number, code: string, extra: Record<string, string> = {}): void => {
        seen.status = status;
        res.writeHead(status, { 'Content-Type': 'application/json', ...extra });
        res.end(JSON.stringify({ error: { code, message: 'refused by the test proxy', details: {} } }));
      };
      if (proxy.mode === 'no-stream' && path.startsWith('/v1/client/config/stream')) return refuse(404, 'NOT_FOUND');
      if (proxy.mode === 'silent-stream' && path.startsWith('/v1/client/config/stream')) {
        seen.status = 200;
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.flushHeaders();
        return; // and nothing more, until the client gives up
      }
      if (proxy.mode === 'unavailable') return refuse(503, 'UNAVAILABLE', { 'Retry-After': '1' });
      const upstream = forward(
        { host: target.hostname, port: target.port, method: req.method, path, headers: req.headers },
        (answer) => {
          seen.status = answer.statusCode ?? 0;
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      res.on('close', () => upstream.destroy()); // the client left: so does the proxy, also from a stream
      req.pipe(upstream);
    });
    return proxy;
  }

  /** Requests to `path` (without query). */
  requests(path: string): SeenRequest[] {
    return this.seen.filter((r) => r.path.split('?')[0] === path);
  }

  /** Stops listening and cuts every open connection: the server is gone. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
