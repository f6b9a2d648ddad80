// Static export (issue 17): avatars pre-rendered into the site's own files by `navtalk-avatar prerender --out`, the
// Vite plugin's `emit` and `navtalk-avatar/prerender` in a SvelteKit `load`. Each built site is then served by a
// plain static file server with the proxy and the mock stopped, and must play its avatars in Chromium with no
// request to the proxy and none to another origin.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import sirv from 'sirv';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { navtalkPrerender } from '../../src/vite/index.js';
import { copyBundle, launchChromium, pageWith, startBuildProxy, waitForPlayback, type BuildProxy } from './support.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const TSX = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
const SITE = 'https://site.example';
const STATIC_VIDEO = /^[0-9a-f]{32}\.mp4$/;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

const cli = (args: string[], cwd: string) =>
  run(process.execPath, ['--import', TSX, join(ROOT, 'src/cli/main.ts'), ...args], { cwd, env: { ...process.env, SIGNING_SECRET: '', ALLOWED_VOICES: '' } })
    .then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => e);
const tag = (endpoint: string, text: string) =>
  `<navtalk-avatar endpoint="${endpoint}" character="navtalk.Leo" text="${text}" voice="echo" trigger="load" autoplay muted></navtalk-avatar>`;
const resultUrls = (html: string) => [...html.matchAll(/result-url="([^"]*)"/g)].map((m) => m[1]!);
const generations = (proxy: BuildProxy) => proxy.mock.calls.filter((c) => c.path === '/generate').length;

/**
 * Serves `dir` with a plain static file server, opens each page in a fresh context and waits for every avatar on it
 * to play; returns the URLs of the requests that went to another origin than the site's (there should be none).
 */
async function playsFromItsOwnFiles(dir: string, pages: string[]): Promise<string[]> {
  const server = createServer(sirv(dir, { dev: true }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const foreign: string[] = [];
  try {
    for (const path of pages) {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('request', (request) => {
        if (!/^(data|blob):/.test(request.url()) && new URL(request.url()).origin !== origin) foreign.push(request.url());
      });
      await page.goto(`${origin}${path}`);
      const played = await waitForPlayback(page, 'navtalk-avatar');
      expect(played.status).toBe('done');
      expect(new URL(played.src).origin).toBe(origin);
      await context.close();
    }
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  return foreign;
}

describe('static export', () => {
  it('prerender --out: videos in the site folder; a rebuild asks and downloads nothing; check finds missing and altered files; the site plays with no proxy', async () => {
    const proxy = await startBuildProxy([SITE]);
    const dir = mkdtempSync(join(tmpdir(), 'navtalk-static-cli-'));
    const stamp = Date.now();
    /** The site as its generator writes it: each build starts from fresh pages (no result-url). */
    const generate = (site: string) => {
      mkdirSync(join(site, 'blog'), { recursive: true });
      copyBundle(site);
      writeFileSync(join(site, 'index.html'), pageWith(tag(proxy.endpoint, `Home ${stamp}`)));
      writeFileSync(join(site, 'blog/post.html'), pageWith(tag(proxy.endpoint, `Post ${stamp}`)));
    };
    const prerender = (site: string, ...extra: string[]) =>
      cli(['prerender', `${site}/index.html`, `${site}/blog/post.html`, '--endpoint', proxy.endpoint, '--origin', SITE, '--out', `${site}/avatars`, ...extra], dir);
    try {
      generate(join(dir, 'site'));
      const first = await prerender('site');
      expect(first.code, first.stdout + first.stderr).toBe(0);
      expect(generations(proxy)).toBe(2);
      const index = readFileSync(join(dir, 'site/index.html'), 'utf8');
      const post = readFileSync(join(dir, 'site/blog/post.html'), 'utf8');
      const [home] = resultUrls(index);
      const [blog] = resultUrls(post);
      expect(home).toMatch(/^\.\/avatars\/[0-9a-f]{32}\.mp4$/);
      expect(blog).toBe(home!.replace('./', '../')); // relative to its page; one video, as the mock makes the same file
      expect(readdirSync(join(dir, 'site/avatars'))).toEqual([home!.slice('./avatars/'.length)]);
      expect(readdirSync(join(dir, 'navtalk-avatar.videos'))).toEqual(readdirSync(join(dir, 'site/avatars')));

      // A second build from fresh pages into an empty folder: the same pages, from the cache folder, no request at all.
      const asked = proxy.requests.length;
      generate(join(dir, 'again'));
      const second = await prerender('again');
      expect(second.code, second.stdout + second.stderr).toBe(0);
      expect(proxy.requests.length - asked).toBe(0);
      expect(readFileSync(join(dir, 'again/index.html'), 'utf8')).toBe(index);
      expect(readFileSync(join(dir, 'again/blog/post.html'), 'utf8')).toBe(post);
      // Under --base, and re-run on its own output: still nothing asked.
      generate(join(dir, 'based'));
      expect((await prerender('based', '--base', '/avatars/')).code).toBe(0);
      expect(resultUrls(readFileSync(join(dir, 'based/blog/post.html'), 'utf8'))).toEqual([home!.slice(1)]);
      expect((await prerender('based', '--base', '/avatars/')).stdout).toMatch(/0 videos to make/);
      expect(proxy.requests.length - asked).toBe(0);

      const pages = ['site/index.html', 'site/blog/post.html'];
      const fine = await cli(['check', ...pages], dir);
      expect([fine.code, fine.stdout.trim()]).toEqual([0, '2 pre-rendered tags up to date, 2 result files intact.']);
      expect((await cli(['check', 'based/index.html', '--out', 'based/avatars', '--base', '/avatars/'], dir)).stdout).toMatch(/1 result file intact/);
      writeFileSync(join(dir, 'again', home!), 'not the video');
      unlinkSync(join(dir, 'based', home!));
      writeFileSync(join(dir, 'again/index.html'), index.replace(`Home ${stamp}`, `Home edited ${stamp}`));
      const broken = await cli(['check', 'again/index.html', 'again/blog/post.html', 'based/index.html', '--out', 'based/avatars', '--base', '/avatars/'], dir);
      expect(broken.code).toBe(1);
      expect(broken.stderr.trim().split('\n')).toEqual([
        `again/index.html:1:112: its result file again/${home!.slice(2)} does not match its hash: run navtalk-avatar prerender --out`,
        'again/index.html:1:112: the inputs changed since its result-url was made: run navtalk-avatar prerender',
        `again/blog/post.html:1:112: its result file again/${home!.slice(2)} does not match its hash: run navtalk-avatar prerender --out`,
        `based/index.html:1:112: its result file based/${home!.slice(2)} is missing: run navtalk-avatar prerender --out`,
      ]);
    } finally {
      await proxy.close();
    }
    expect(await playsFromItsOwnFiles(join(dir, 'site'), ['/index.html', '/blog/post.html'])).toEqual([]);
  }, 120_000);

  it('prerender --out fails the build, naming the tag, when a video does not download as a video; the page is left as it was', async () => {
    const proxy = await startBuildProxy([SITE]);
    try {
      const dir = mkdtempSync(join(tmpdir(), 'navtalk-static-fail-'));
      const page = pageWith(tag(proxy.endpoint, `Broken download ${Date.now()}`));
      writeFileSync(join(dir, 'page.html'), page);
      proxy.breakVideos = true;
      const result = await cli(['prerender', 'page.html', '--endpoint', proxy.endpoint, '--origin', SITE, '--out', 'avatars'], dir);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/page\.html:1:112\s+failed\s+download_failed: the video could not be downloaded from http:\/\/127\.0\.0\.1:\d+\/api\/navtalk\?video=\S+: NavTalk's video has the content type "text\/html"/);
      expect(readFileSync(join(dir, 'page.html'), 'utf8')).toBe(page);
      expect(existsSync(join(dir, 'avatars'))).toBe(false);
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('the Vite plugin with emit: the video is an asset of the build; a rebuild asks and downloads nothing; the site plays with no proxy', async () => {
    const proxy = await startBuildProxy();
    const root = mkdtempSync(join(tmpdir(), 'navtalk-static-vite-'));
    writeFileSync(join(root, 'main.js'), "import 'navtalk-avatar/define';\n");
    writeFileSync(join(root, 'index.html'), `<!doctype html>\n<html lang="en"><title>Vite</title><script type="module" src="./main.js"></script>\n<body>${tag(proxy.endpoint, `Vite ${Date.now()}`)}</body></html>\n`);
    const buildOnce = async () => {
      await build({
        root, logLevel: 'silent', configFile: false,
        // The built entry, as an app has it (its package.json marks it as having side effects).
        resolve: { alias: { 'navtalk-avatar/define': join(ROOT, 'dist/define.js') } },
        build: { outDir: join(root, 'dist'), emptyOutDir: true },
        plugins: [navtalkPrerender({ endpoint: proxy.endpoint, emit: true })],
      });
      return readFileSync(join(root, 'dist/index.html'), 'utf8');
    };
    let html: string;
    try {
      html = await buildOnce();
      const [url] = resultUrls(html);
      expect(url).toMatch(/^\/assets\/[0-9a-f]{32}\.mp4$/);
      expect(existsSync(join(root, 'dist', url!))).toBe(true);
      expect(Object.values(JSON.parse(readFileSync(join(root, 'navtalk-avatar.prerendered.json'), 'utf8')))).toEqual([
        { resultUrl: expect.stringContaining(`${proxy.endpoint}?video=`), kept: true, file: url!.slice('/assets/'.length) },
      ]);
      const asked = proxy.requests.length;
      expect(await buildOnce()).toBe(html);
      expect(proxy.requests.length - asked).toBe(0);
      expect(readdirSync(join(root, 'dist/assets')).filter((f) => STATIC_VIDEO.test(f))).toEqual([url!.slice('/assets/'.length)]);
    } finally {
      await proxy.close();
    }
    expect(await playsFromItsOwnFiles(join(root, 'dist'), ['/'])).toEqual([]);
  }, 120_000);

  it('navtalk-avatar/prerender in a SvelteKit load: the static site plays with no proxy', async () => {
    const proxy = await startBuildProxy([SITE]);
    const app = mkdtempSync(join(tmpdir(), 'navtalk-static-kit-'));
    cpSync(join(import.meta.dirname, 'sveltekit'), app, { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'), 'dir');
    try {
      await run(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build'], {
        cwd: app, env: { ...process.env, NAVTALK_DIST: join(ROOT, 'dist'), NAVTALK_ENDPOINT: proxy.endpoint, NAVTALK_ORIGIN: SITE },
      });
      expect(generations(proxy)).toBe(1);
      const html = readFileSync(join(app, 'build/index.html'), 'utf8');
      const [url] = resultUrls(html);
      expect(url).toMatch(/^\/avatars\/[0-9a-f]{32}\.mp4$/);
      expect(html).toMatch(/result-hash="[A-Za-z0-9_-]{22}"/);
      expect(existsSync(join(app, 'build', url!))).toBe(true);
    } finally {
      await proxy.close();
    }
    expect(await playsFromItsOwnFiles(join(app, 'build'), ['/'])).toEqual([]);
    rmSync(app, { recursive: true, force: true });
  }, 120_000);
});
