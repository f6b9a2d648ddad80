// renderRequest (the core of prerender and the Vite plugin) against the portable handler and the NavTalk mock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderRequest } from '../../src/cli/prerender.js';
import { startMockNavTalk, type MockNavTalk } from '../../src/mock/server.js';
import { configFromEnv, createProxyHandler, type RateLimiter } from '../../src/proxy/index.js';

const ORIGIN = 'https://site.example';
const ENDPOINT = 'https://proxy.example/api';
let mock: MockNavTalk;
beforeAll(async () => {
  mock = await startMockNavTalk({ timing: { processingAfterMs: 20, doneAfterMs: 80 } });
});
afterAll(() => mock?.close());

/** The handler as `fetch`, with a rate limiter that refuses the first `refusals` new scripts for a second. */
function proxyFetch(refusals: number): typeof fetch {
  let left = refusals;
  const limiter: RateLimiter = { take: async () => (left-- > 0 ? { ok: false, retryAfterSeconds: 1 } : { ok: true }) };
  const handler = createProxyHandler({
    config: configFromEnv({ NAVTALK_API_KEY: mock.license, NAVTALK_BASE_URL: mock.url, AUTH_MODE: 'open', ALLOWED_ORIGINS: ORIGIN, UPSTREAM_POLL_INTERVAL_MS: '20' }),
    limiter, log: () => {},
  });
  return ((input: RequestInfo | URL, init?: RequestInit) => handler(new Request(input, init))) as typeof fetch;
}

describe('renderRequest', () => {
  it('waits out a rate limit (Retry-After) and then makes the video; says so in its progress', async () => {
    const statuses: string[] = [];
    const request = { character_name: 'navtalk.Leo', content: `Rate limited ${Date.now()}.`, voice: 'echo' };
    const rendered = await renderRequest(request, { endpoint: ENDPOINT, origin: ORIGIN, fetch: proxyFetch(1), storeWaitMs: 0, onStatus: (s) => statuses.push(s) });
    expect(rendered).toEqual({ resultUrl: expect.stringMatching(/\/videos\/.+\.mp4$/), kept: false });
    expect(statuses[0]).toBe('rate limited: waiting 1 s');
    expect(statuses.at(-1)).toBe('done');
  });

  it('gives up on a rate limit it cannot wait out within its timeout', async () => {
    const request = { character_name: 'navtalk.Leo', content: `Impatient ${Date.now()}.`, voice: 'echo' };
    await expect(renderRequest(request, { endpoint: ENDPOINT, origin: ORIGIN, fetch: proxyFetch(5), timeoutMs: 500 }))
      .rejects.toMatchObject({ code: 'rate_limited' });
  });
});
