// The real portable proxy handler (src/proxy, in-memory stores, AUTH_MODE=open) in front of the NavTalk mock,
// mounted in the test runner at /real-proxy. The origin the proxy allows is the runner's own, learnt from
// the first request, since the runner picks its port at start. A second proxy at /real-proxy/refusing has a
// mock of its own that refuses every /generate (HTTP 400, its reason quoting the key), so that case needs no
// fault switched on and off under tests running in parallel.
import { configFromEnv, createProxyHandler } from '../../../src/proxy/index.js';
import { VOICES } from '../../../src/protocol/index.js';
import { startMockNavTalk, type MockNavTalk } from '../../../src/mock/server.js';

import { EXTRA_VOICE, REAL_PROXY_PATH, REFUSAL, REFUSING_PROXY_PATH } from './real-proxy-paths.js';

export { REAL_PROXY_PATH };

type Handler = (request: Request) => Promise<Response>;

export interface RealProxy {
  mock: MockNavTalk;
  handler: Handler;
  close(): Promise<void>;
}

export async function createRealProxy(): Promise<RealProxy> {
  const timing = { processingAfterMs: 60, doneAfterMs: 250 };
  const mock = await startMockNavTalk({ timing });
  const refusingMock = await startMockNavTalk({ timing });
  refusingMock.configure({ faults: { generate: { kind: '400', message: REFUSAL } } });
  const proxies = new Map<MockNavTalk, Handler>();
  const proxyFor = (target: MockNavTalk, origin: string) => {
    let proxy = proxies.get(target);
    if (!proxy) {
      proxy = createProxyHandler({
        config: configFromEnv({
          NAVTALK_API_KEY: target.license, NAVTALK_BASE_URL: target.url, AUTH_MODE: 'open', ALLOWED_ORIGINS: origin,
          TRUSTED_MEDIA_ORIGINS: target.url, UPSTREAM_POLL_INTERVAL_MS: '50', RATE_LIMIT_PER_MINUTE: '0',
          ALLOWED_VOICES: [...VOICES, EXTRA_VOICE].join(','),
        }),
      });
      proxies.set(target, proxy);
    }
    return proxy;
  };
  const handler = async (request: Request) => {
    const url = new URL(request.url);
    // The tests read the mock's URL here, then its /__mock/ routes (CORS *) directly.
    if (url.pathname === `${REAL_PROXY_PATH}/mock-url`) return Response.json({ url: mock.url, license: mock.license });
    return proxyFor(url.pathname.startsWith(REFUSING_PROXY_PATH) ? refusingMock : mock, url.origin)(request);
  };
  return { mock, handler, close: async () => void (await Promise.all([mock.close(), refusingMock.close()])) };
}
