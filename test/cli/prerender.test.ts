// `navtalk-avatar prerender` and `check` against the real Worker (wrangler dev, R2 simulated) and the NavTalk mock.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../scripts/lib/stack.js';

const run = promisify(execFile);
const TSX = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');
const ORIGIN = 'https://site.example';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ origins: [ORIGIN] });
  stack.mock!.configure({ timing: { processingAfterMs: 100, doneAfterMs: 400 } });
}, 90_000);
afterAll(() => stack?.stop());

const cli = (args: string[], cwd: string) =>
  run(process.execPath, ['--import', TSX, MAIN, ...args], { cwd, env: { ...process.env, SIGNING_SECRET: '', ALLOWED_VOICES: '' } })
    .then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => e);
const generations = () => stack.mock!.calls.filter((c) => c.path === '/generate').length;
const tag = (text: string, extra = '') => `<navtalk-avatar endpoint="/api" character="navtalk.Leo" text="${text}" voice="echo"${extra}></navtalk-avatar>`;
const resultUrls = (html: string) => [...html.matchAll(/result-url="([^"]*)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));

describe('navtalk-avatar prerender / check', () => {
  it('writes result-url into each tag, a second run makes no request, check fails after a script edit and passes after a new prerender', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'navtalk-prerender-'));
    const stamp = Date.now();
    writeFileSync(join(dir, 'index.html'), `<!doctype html>\n<main>\n  ${tag(`Hello ${stamp}`)}\n  ${tag(`Second ${stamp}`, ' autoplay muted')}\n</main>\n`);
    writeFileSync(join(dir, 'about.html'), `<p>About</p>\n${tag(`About ${stamp}`)}\n<navtalk-avatar result-url="https://cdn.example/made-by-hand.mp4"></navtalk-avatar>\n`);
    const args = ['prerender', 'index.html', 'about.html', '--endpoint', `${stack.workerUrl}/`, '--origin', ORIGIN, '--concurrency', '2'];
    const before = generations();

    const first = await cli(args, dir);
    expect(first.code, first.stderr).toBe(0);
    expect(generations() - before).toBe(3);
    expect(first.stdout).toMatch(/3 videos to make/);
    expect(first.stdout).toMatch(/\[3\/3\] about\.html:2:1 rendered/);
    expect(first.stdout).toMatch(/tag\s+result\s+video or reason/);
    const index = readFileSync(join(dir, 'index.html'), 'utf8');
    const about = readFileSync(join(dir, 'about.html'), 'utf8');
    const urls = [...resultUrls(index), ...resultUrls(about)];
    expect(urls.slice(0, 3).every((u) => u.startsWith(`${stack.workerUrl}/?video=`))).toBe(true);
    expect(urls[3]).toBe('https://cdn.example/made-by-hand.mp4'); // a tag without inputs is left alone
    expect(index).toMatch(/autoplay muted result-url="[^"]+" result-hash="[A-Za-z0-9_-]{22}"><\/navtalk-avatar>/);
    const video = await fetch(urls[0]!, { headers: { range: 'bytes=0-3' } });
    expect(video.status).toBe(206);

    const second = await cli(args, dir);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/0 videos to make/);
    expect(second.stdout).toMatch(/index\.html:3:3\s+up to date/);
    expect(generations() - before).toBe(3);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toBe(index);

    expect((await cli(['check', 'index.html', 'about.html', '--verify'], dir)).code).toBe(0);
    writeFileSync(join(dir, 'index.html'), index.replace(`Hello ${stamp}`, `Hello again ${stamp}`));
    const stale = await cli(['check', 'index.html', 'about.html'], dir);
    expect(stale.code).toBe(1);
    expect(stale.stderr.trim()).toBe('index.html:3:3: the inputs changed since its result-url was made: run navtalk-avatar prerender');
    const again = await cli(args, dir);
    expect(again.code).toBe(0);
    expect(generations() - before).toBe(4);
    expect((await cli(['check', 'index.html', 'about.html'], dir)).code).toBe(0);
  }, 120_000);

  it('never edits a file it could not fully process; the failure is in the summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'navtalk-prerender-'));
    const stamp = Date.now();
    // The proxy refuses a private address (unsafe_url) without calling NavTalk; nothing fetches it.
    const page = `${tag(`Fine ${stamp}`)}\n<navtalk-avatar endpoint="/api" image-url="http://10.0.0.9/face.png" text="Refused ${stamp}" voice="echo"></navtalk-avatar>\n`;
    writeFileSync(join(dir, 'mixed.html'), page);
    writeFileSync(join(dir, 'broken.html'), '<navtalk-avatar endpoint="/api" character="navtalk.Leo" text="No voice"></navtalk-avatar>\n');
    const result = await cli(['prerender', 'mixed.html', 'broken.html', '--endpoint', `${stack.workerUrl}/`, '--origin', ORIGIN], dir);
    expect(result.code).toBe(1);
    expect(readFileSync(join(dir, 'mixed.html'), 'utf8')).toBe(page);
    expect(result.stdout).toMatch(/mixed\.html:2:1\s+failed\s+unsafe_url: image_url/);
    expect(result.stdout).toMatch(/broken\.html:1:1\s+failed\s+voice is required with text/);
    expect(result.stdout).toMatch(/mixed\.html: left untouched \(a tag failed\)/);
    const check = await cli(['check', 'mixed.html'], dir);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('mixed.html:1:1: no result-url: run navtalk-avatar prerender');
  }, 60_000);

  it('explains a missing endpoint, an unknown command, and a proxy that refuses the origin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'navtalk-prerender-'));
    writeFileSync(join(dir, 'a.html'), tag(`Origin ${Date.now()}`));
    const noEndpoint = await cli(['prerender', 'a.html'], dir);
    expect([noEndpoint.code, noEndpoint.stderr.split('\n')[0]]).toEqual([2, 'navtalk-avatar prerender: --endpoint must be the http(s) URL of your deployed proxy.']);
    const unknown = await cli(['render', 'a.html'], dir);
    expect([unknown.code, unknown.stderr.split('\n')[0]]).toEqual([2, 'navtalk-avatar: unknown command "render".']);
    const foreign = await cli(['prerender', 'a.html', '--endpoint', `${stack.workerUrl}/`, '--origin', 'https://evil.example'], dir);
    expect(foreign.code).toBe(1);
    expect(foreign.stdout).toMatch(/a\.html:1:1\s+failed\s+origin_not_allowed/);
  }, 60_000);
});
