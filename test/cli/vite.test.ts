// navtalk-avatar/vite: a small page built twice with Vite, against the portable proxy (with a result store) in
// front of the NavTalk mock, served over node:http.
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockNavTalk, type MockNavTalk } from '../../src/mock/server.js';
import { configFromEnv, createProxyHandler, MemoryResultStore } from '../../src/proxy/index.js';
import { navtalkPrerender } from '../../src/vite/index.js';

let mock: MockNavTalk;
let server: Server;
let endpoint: string;
beforeAll(async () => {
  mock = await startMockNavTalk({ timing: { processingAfterMs: 50, doneAfterMs: 200 } });
  server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  endpoint = `${origin}/api/navtalk`;
  const proxy = createProxyHandler({
    config: configFromEnv({
      NAVTALK_API_KEY: mock.license, NAVTALK_BASE_URL: mock.url, AUTH_MODE: 'open', ALLOWED_ORIGINS: origin,
      TRUSTED_MEDIA_ORIGINS: mock.url, RATE_LIMIT_PER_MINUTE: '0', UPSTREAM_POLL_INTERVAL_MS: '50',
    }),
    results: new MemoryResultStore(),
  });
  server.on('request', async (req, res) => {
    const body = req.method === 'POST' ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : null;
    const response = await proxy(new Request(`${origin}${req.url}`, { method: req.method!, headers: req.headers as Record<string, string>, body, duplex: 'half' } as RequestInit));
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
});
afterAll(async () => {
  server?.close();
  await mock?.close();
});

const apiCalls = () => mock.calls.filter((c) => c.path === '/generate').length;

describe('navtalkPrerender (Vite plugin)', () => {
  it('the first build generates and writes result-url; a rebuild with unchanged scripts makes no request', async () => {
    const root = mkdtempSync(join(tmpdir(), 'navtalk-vite-'));
    const text = `Built by Vite at ${Date.now()}.`;
    writeFileSync(join(root, 'index.html'), `<!doctype html>\n<html><body>\n<navtalk-avatar endpoint="/api/navtalk" character="navtalk.Leo" text="${text}" voice="echo"></navtalk-avatar>\n</body></html>\n`);
    const buildOnce = async () => {
      const requests: string[] = [];
      const counting: typeof fetch = (input, init) => {
        requests.push(String(input));
        return fetch(input, init);
      };
      await build({
        root, logLevel: 'silent', configFile: false,
        build: { outDir: join(root, 'dist'), emptyOutDir: true },
        plugins: [navtalkPrerender({ endpoint, fetch: counting })],
      });
      return { html: readFileSync(join(root, 'dist/index.html'), 'utf8'), requests };
    };

    const first = await buildOnce();
    expect(apiCalls()).toBe(1);
    expect(first.requests.length).toBeGreaterThan(0);
    const url = /result-url="([^"]+)"/.exec(first.html)?.[1]?.replaceAll('&amp;', '&');
    expect(url).toMatch(new RegExp(`^${endpoint}\\?video=`));
    expect(first.html).toMatch(/result-hash="[A-Za-z0-9_-]{22}"/);
    expect(readFileSync(join(root, 'index.html'), 'utf8')).not.toContain('result-url'); // the source page is not edited
    expect(Object.values(JSON.parse(readFileSync(join(root, 'navtalk-avatar.prerendered.json'), 'utf8')))).toEqual([{ resultUrl: url, kept: true }]);

    const second = await buildOnce();
    expect(second.requests).toEqual([]);
    expect(second.html).toBe(first.html);
    expect(apiCalls()).toBe(1);
  }, 60_000);

  it('fails the build, naming the tag, when a video cannot be made', async () => {
    const root = mkdtempSync(join(tmpdir(), 'navtalk-vite-'));
    writeFileSync(join(root, 'index.html'), '<navtalk-avatar endpoint="/api" character="navtalk.Leo" text="No voice here"></navtalk-avatar>\n');
    await expect(build({
      root, logLevel: 'silent', configFile: false, build: { outDir: join(root, 'dist') },
      plugins: [navtalkPrerender({ endpoint })],
    })).rejects.toThrow(/could not pre-render \/index\.html:1:1 \(voice is required with text/);
  }, 60_000);
});
