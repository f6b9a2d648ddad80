// navtalk-avatar/vite: a small page built twice with Vite, against the portable proxy (with a result store) in
// front of the NavTalk mock, served over node:http.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { navtalkPrerender } from '../../src/vite/index.js';
import { startBuildProxy, type BuildProxy } from '../e2e/support.js';

let proxy: BuildProxy;
let mock: BuildProxy['mock'];
let endpoint: string;
beforeAll(async () => {
  proxy = await startBuildProxy();
  ({ mock, endpoint } = proxy);
});
afterAll(() => proxy?.close());

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
