/**
 * The proxy the framework apps talk to in these tests: a protocol-conforming fake (demo/server/fake-proxy.ts)
 * at the server's root (like the Worker; the demo forwards /api/navtalk there) that runs started -> processing -> done and records every request. The real Worker has
 * its own suites and the lead's end-to-end test; here the subject is the apps and the element inside them.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFakeProxy, type FakeProxy, type FakeProxyOptions } from '../../demo/server/fake-proxy.js';

export interface FakeEndpoint {
  /** The endpoint, at the server's root like the Worker's, e.g. http://127.0.0.1:40123. */
  origin: string;
  proxy: FakeProxy;
  close(): Promise<void>;
}

export async function startFakeEndpoint(options: FakeProxyOptions): Promise<FakeEndpoint> {
  const proxy = createFakeProxy(options);
  const server = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://x').pathname === '/') return void proxy.handle('flow', req, res);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    proxy,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
