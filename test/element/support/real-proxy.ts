// The real proxy in front of the NavTalk mock, mounted in the test runner at /real-proxy. By default the
// portable handler (src/proxy, in-memory stores, AUTH_MODE=open) in the runner's process; with
// REAL_PROXY_STORES=redis, the Node server of examples/node-server on a redis-server of its own, the runner
// forwarding each request to it over HTTP. The origin the proxy allows is the runner's own, learnt from the first
// request, since the runner picks its port at start. A second proxy at /real-proxy/refusing has a mock of its own
// that refuses every /generate (HTTP 400, its reason quoting the key), so that case needs no fault switched on and
// off under tests running in parallel; a third at /real-proxy/failing has one whose tasks run until the test ends
// them, done or failed (each mock's URL is at <path>/mock-url).
import { configFromEnv, createProxyHandler } from '../../../src/proxy/index.js';
import { VOICES } from '../../../src/protocol/index.js';
import { startMockNavTalk, type MockNavTalk } from '../../../src/mock/server.js';
import { startNodeProxy, startRedis, type NodeProxy, type RedisServer } from '../../../scripts/lib/node-proxy.js';
import { EXTRA_VOICE, FAILING_PROXY_PATH, REAL_PROXY_PATH, REFUSAL, REFUSING_PROXY_PATH } from './real-proxy-paths.js';

export { REAL_PROXY_PATH };

type Handler = (request: Request) => Promise<Response>;

export interface RealProxy {
  mock: MockNavTalk;
  handler: Handler;
  close(): Promise<void>;
}

/** The proxy's variables for one mock and the runner's origin. */
const variables = (target: MockNavTalk, origin: string): Record<string, string> => ({
  NAVTALK_API_KEY: target.license, NAVTALK_BASE_URL: target.url, AUTH_MODE: 'open', ALLOWED_ORIGINS: origin,
  TRUSTED_MEDIA_ORIGINS: target.url, UPSTREAM_POLL_INTERVAL_MS: '50', RATE_LIMIT_PER_MINUTE: '0',
  ALLOWED_VOICES: [...VOICES, EXTRA_VOICE].join(','),
});

/** A Node proxy process on Redis, reached over HTTP: the runner's path is its root. */
function forwardTo(server: NodeProxy, mountedAt: string): Handler {
  return async (request) => {
    const url = new URL(request.url);
    const target = `${server.url}/${url.pathname.slice(mountedAt.length).replace(/^\//, '')}${url.search}`;
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    const answer = await fetch(target, {
      method: request.method, headers: request.headers, signal: request.signal,
      ...(hasBody ? { body: await request.arrayBuffer() } : {}),
    });
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  };
}

export async function createRealProxy(stores = process.env.REAL_PROXY_STORES ?? 'memory'): Promise<RealProxy> {
  if (stores !== 'memory' && stores !== 'redis') throw new Error(`REAL_PROXY_STORES must be memory or redis (got ${stores})`);
  const timing = { processingAfterMs: 60, doneAfterMs: 250 };
  const mock = await startMockNavTalk({ timing });
  const refusingMock = await startMockNavTalk({ timing });
  refusingMock.configure({ faults: { generate: { kind: '400', message: REFUSAL } } });
  const failingMock = await startMockNavTalk({ timing });
  // Its tasks wait for the test to end them (POST /__mock/tasks/<id>/complete), so two browsers never share a switch.
  failingMock.configure({ faults: { outcome: 'never' } });
  // Most specific path first: the others are under REAL_PROXY_PATH.
  const mounts: [string, MockNavTalk][] = [[REFUSING_PROXY_PATH, refusingMock], [FAILING_PROXY_PATH, failingMock], [REAL_PROXY_PATH, mock]];
  const redis: RedisServer | undefined = stores === 'redis' ? await startRedis() : undefined;
  const servers: NodeProxy[] = [];
  const proxies = new Map<MockNavTalk, Promise<Handler>>();
  const proxyFor = (target: MockNavTalk, origin: string, mountedAt: string) => {
    let proxy = proxies.get(target);
    if (!proxy) {
      proxy = redis
        ? startNodeProxy({ ...variables(target, origin), REDIS_URL: redis.url, CLIENT_IP_HEADER: 'x-forwarded-for' }).then((server) => {
          servers.push(server);
          return forwardTo(server, mountedAt);
        })
        : Promise.resolve(createProxyHandler({ config: configFromEnv(variables(target, origin)) }));
      proxies.set(target, proxy);
    }
    return proxy;
  };
  const handler = async (request: Request) => {
    const url = new URL(request.url);
    const [path, target] = mounts.find(([prefix]) => url.pathname.startsWith(prefix))!;
    // The tests read the mock's URL here, then its /__mock/ routes (CORS *) directly.
    if (url.pathname === `${path}/mock-url`) return Response.json({ url: target.url, license: target.license });
    return (await proxyFor(target, url.origin, path))(request);
  };
  return {
    mock,
    handler,
    close: async () => {
      await Promise.all([...servers.map((s) => s.stop()), ...mounts.map(([, m]) => m.close())]);
      await redis?.stop();
    },
  };
}
