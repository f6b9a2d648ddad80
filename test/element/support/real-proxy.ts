// The real portable proxy handler (src/proxy, in-memory stores, AUTH_MODE=open) in front of the NavTalk mock,
// mounted in the test runner at /real-proxy. The origin the proxy allows is the runner's own, learnt from
// the first request, since the runner picks its port at start.
import { configFromEnv, createProxyHandler } from '../../../src/proxy/index.js';
import { startMockNavTalk, type MockNavTalk } from '../../../src/mock/server.js';

export const REAL_PROXY_PATH = '/real-proxy';

export async function createRealProxy(): Promise<{ mock: MockNavTalk; handler: (request: Request) => Promise<Response> }> {
  const mock = await startMockNavTalk({ timing: { processingAfterMs: 60, doneAfterMs: 250 } });
  let proxy: ((request: Request) => Promise<Response>) | undefined;
  const handler = async (request: Request) => {
    const url = new URL(request.url);
    // The tests read the mock's URL here, then its /__mock/ routes (CORS *) directly.
    if (url.pathname === `${REAL_PROXY_PATH}/mock-url`) return Response.json({ url: mock.url });
    proxy ??= createProxyHandler({
      config: configFromEnv({
        NAVTALK_API_KEY: mock.license, NAVTALK_BASE_URL: mock.url, AUTH_MODE: 'open', ALLOWED_ORIGINS: url.origin,
        TRUSTED_MEDIA_ORIGINS: mock.url, UPSTREAM_POLL_INTERVAL_MS: '50', RATE_LIMIT_PER_MINUTE: '0',
      }),
    });
    return proxy(request);
  };
  return { mock, handler };
}
