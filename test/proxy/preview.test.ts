// `GET ?preview=NAME` on the portable handler: NavTalk's preview still fetched once, kept, and served with long caching;
// bad names and foreign pages cost no upstream call; an unknown character is remembered briefly.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  MemoryResultStore, PREVIEW_FETCHES, PREVIEW_WAITING, configFromEnv, type ResultStore,
} from '../../src/proxy/index.js';
import { BAD_PREVIEW_NAMES, ORIGIN, OTHER_ORIGIN, PREVIEW_RULE, previewRequest } from './cases.js';
import { ENDPOINT, makeProxy, useMock, type Harness } from './harness.js';

const h = useMock();
const FACE = readFileSync(new URL('../../src/mock/samples/face.png', import.meta.url));
const previewCalls = (harness: Harness) => harness.mock.calls.filter((c) => c.path.startsWith('/uploadFiles/'));
/** Any character: the shared test environment offers only two. */
const ANY_CHARACTER = { ALLOWED_CHARACTERS: '' };

function previewProxy(env: Record<string, string> = {}, results?: ResultStore, fetch?: typeof globalThis.fetch) {
  const proxy = makeProxy(h, env, { ...(results ? { results } : {}), ...(fetch ? { fetch } : {}) });
  return (name: string, headers: Record<string, string> = {}, method = 'GET') =>
    proxy.handler(previewRequest(ENDPOINT, name, headers, method)).then((r) => h.responses.keep(r));
}

const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; message: string } }).error;

describe.each([
  ['kept in the result store', () => new MemoryResultStore()],
  ['kept in memory (no result store)', () => undefined],
])('GET ?preview=: %s', (_label, makeStore) => {
  it('fetches NavTalk\'s PNG once and serves it with long caching, ETag, nosniff and CORS; repeats cost no upstream call', async () => {
    const results = makeStore();
    const preview = previewProxy({}, results);
    const first = await preview('navtalk.Leo', { origin: ORIGIN });
    expect(first.status).toBe(200);
    expect(Buffer.from(await first.arrayBuffer()).equals(FACE)).toBe(true);
    const headers = Object.fromEntries(['content-type', 'content-length', 'cache-control', 'x-content-type-options', 'access-control-allow-origin', 'vary']
      .map((k) => [k, first.headers.get(k)]));
    expect(headers).toEqual({
      'content-type': 'image/png', 'content-length': String(FACE.length), 'cache-control': 'public, max-age=604800',
      'x-content-type-options': 'nosniff', 'access-control-allow-origin': ORIGIN, vary: 'Origin',
    });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    expect(previewCalls(h).map((c) => c.path)).toEqual(['/uploadFiles/navtalk.Leo.png']);

    const again = await preview('navtalk.Leo'); // as an <img> asks: no Origin, so no CORS header
    expect([again.status, again.headers.get('etag'), again.headers.get('access-control-allow-origin')]).toEqual([200, etag, null]);
    expect(Buffer.from(await again.arrayBuffer()).equals(FACE)).toBe(true);
    expect((await preview('navtalk.Leo', { 'if-none-match': etag })).status).toBe(304);
    const head = await preview('navtalk.Leo', {}, 'HEAD');
    expect([head.status, head.headers.get('content-length'), await head.text()]).toEqual([200, String(FACE.length), '']);
    expect(previewCalls(h)).toHaveLength(1);
    expect(h.mock.calls).toHaveLength(1); // no /generate, no /query_status either
    if (results) expect((results as MemoryResultStore).videos.get('preview.navtalk.Leo')?.info.meta).toEqual({ method: 'preview', character: 'navtalk.Leo' });
  });

  it('twenty pages asking at once for a preview not kept yet make one upstream fetch', async () => {
    const preview = previewProxy({}, makeStore());
    const answers = await Promise.all(Array.from({ length: 20 }, () => preview('navtalk.Lily')));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(previewCalls(h)).toHaveLength(1);
  });
});

describe('GET ?preview=: refused before NavTalk', () => {
  it.each(BAD_PREVIEW_NAMES.map((name) => [JSON.stringify(name.slice(0, 20)), name]))('the name %s is 400 invalid_input with the rule', async (_label, name) => {
    const preview = previewProxy(ANY_CHARACTER);
    const answer = await preview(name, { origin: ORIGIN });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const error = await errorOf(answer);
    expect(error.code).toBe('invalid_input');
    expect(error.message.startsWith(PREVIEW_RULE)).toBe(true);
    if (name.length <= 40) expect(error.message.endsWith(` (got ${JSON.stringify(name)}).`)).toBe(true);
    expect(h.mock.calls).toEqual([]);
  });

  it('a character outside ALLOWED_CHARACTERS is 400, a foreign page 403, a misconfigured proxy 500: no upstream call', async () => {
    const preview = previewProxy(); // ALLOWED_CHARACTERS: navtalk.Leo, navtalk.Lily
    const unoffered = await preview('navtalk.Ava');
    expect([unoffered.status, await errorOf(unoffered)]).toEqual([400, { code: 'invalid_input', message: 'preview "navtalk.Ava" is not offered by this proxy.' }]);
    const foreign = await preview('navtalk.Leo', { origin: OTHER_ORIGIN });
    expect([foreign.status, (await errorOf(foreign)).code, foreign.headers.get('access-control-allow-origin')]).toEqual([403, 'origin_not_allowed', null]);
    const broken = makeProxy(h, { ALLOWED_ORIGINS: '' });
    expect((await broken.handler(previewRequest(ENDPOINT, 'navtalk.Leo'))).status).toBe(500);
    expect(h.mock.calls).toEqual([]);
  });

  it('a preview is GET or HEAD: other methods are 405', async () => {
    const preview = previewProxy();
    const answer = await preview('navtalk.Leo', {}, 'PUT');
    expect([answer.status, answer.headers.get('allow')]).toEqual([405, 'GET, POST, OPTIONS']);
    expect(h.mock.calls).toEqual([]);
  });
});

describe('GET ?preview=: what NavTalk answers', () => {
  it('an unknown character is 404, remembered for 5 minutes (and cacheable that long): the next asks cost nothing', async () => {
    let now = 1_000_000;
    const proxy = makeProxy(h, ANY_CHARACTER, { now: () => now });
    const ask = async () => h.responses.keep(await proxy.handler(previewRequest(ENDPOINT, 'navtalk.Nobody', { origin: ORIGIN })));
    const first = await ask();
    expect([first.status, first.headers.get('cache-control'), await errorOf(first)]).toEqual([
      404, 'public, max-age=300', { code: 'not_found', message: 'NavTalk has no preview image for the character "navtalk.Nobody".' },
    ]);
    now += 299_000;
    expect((await ask()).status).toBe(404);
    expect(previewCalls(h)).toHaveLength(1);
    now += 2000; // past the 5 minutes: NavTalk is asked again
    expect((await ask()).status).toBe(404);
    expect(previewCalls(h)).toHaveLength(2);
  });

  it('NavTalk failing (503) is 502 upstream_failed and not remembered; an answer that is not an image is 502 and not kept', async () => {
    const results = new MemoryResultStore();
    const preview = previewProxy({}, results);
    h.mock.configure({ faults: { preview: '503' } });
    const down = await preview('navtalk.Leo');
    expect([down.status, down.headers.get('cache-control'), (await errorOf(down)).code]).toEqual([502, 'no-store', 'upstream_failed']);
    h.mock.configure({ faults: { preview: 'html' } });
    const html = await preview('navtalk.Leo');
    expect([html.status, (await errorOf(html)).message]).toEqual([502, "NavTalk's preview image could not be fetched; try again shortly."]);
    expect(results.videos.size).toBe(0);
    expect(h.logs.some((line) => line.includes('"event":"preview_failed"') && line.includes('content type \\"text/html\\"'))).toBe(true);
    h.mock.configure({ faults: { preview: undefined } });
    expect((await preview('navtalk.Leo')).status).toBe(200);
    expect(previewCalls(h)).toHaveLength(3);
  });

  it('a store that cannot keep it: the preview is still served, uncacheable, and fetched again next time', async () => {
    const refusing: ResultStore = Object.assign(new MemoryResultStore(), { put: () => Promise.reject(new Error('disk full')) });
    const preview = previewProxy({}, refusing);
    const answer = await preview('navtalk.Leo');
    expect([answer.status, answer.headers.get('content-type'), answer.headers.get('cache-control'), answer.headers.get('x-content-type-options')])
      .toEqual([200, 'image/png', 'no-store', 'nosniff']);
    expect(Buffer.from(await answer.arrayBuffer()).equals(FACE)).toBe(true);
    expect((await preview('navtalk.Leo')).status).toBe(200);
    expect(previewCalls(h)).toHaveLength(2);
  });

  it(`at most ${PREVIEW_FETCHES} upstream fetches at once, ${PREVIEW_WAITING} waiting; past that 503 with Retry-After`, async () => {
    // Holds each preview fetch while `hold` is set, counting how many are open at once.
    let open = 0;
    let most = 0;
    let hold = true;
    const held: (() => void)[] = [];
    let full!: () => void;
    const saturated = new Promise<void>((resolve) => (full = resolve));
    const gated: typeof fetch = async (input, init) => {
      most = Math.max(most, ++open);
      if (open === PREVIEW_FETCHES) full();
      if (hold) await new Promise<void>((resolve) => held.push(resolve));
      try {
        return await fetch(input, init);
      } finally {
        open--;
      }
    };
    const preview = previewProxy(ANY_CHARACTER, undefined, gated);
    const queued = Array.from({ length: PREVIEW_FETCHES + PREVIEW_WAITING }, (_, i) => preview(`navtalk.Gated${i}`));
    await saturated;
    const refused = await preview('navtalk.OneTooMany');
    expect([refused.status, refused.headers.get('retry-after'), (await errorOf(refused)).code]).toEqual([503, '1', 'unavailable']);
    hold = false;
    held.splice(0).forEach((go) => go());
    expect((await Promise.all(queued)).map((a) => a.status)).toEqual(Array(PREVIEW_FETCHES + PREVIEW_WAITING).fill(404));
    expect(most).toBe(PREVIEW_FETCHES);
    expect(previewCalls(h)).toHaveLength(PREVIEW_FETCHES + PREVIEW_WAITING);
  });
});

describe('where previews come from', () => {
  it('NavTalk\'s own base takes them from api.navtalk.ai; any other base (the mock) serves them itself; NAVTALK_PREVIEW_BASE_URL wins', () => {
    const base = { NAVTALK_API_KEY: 'sk-1', ALLOWED_ORIGINS: ORIGIN, AUTH_MODE: 'open' };
    expect(configFromEnv(base).previewBaseUrl).toBe('https://api.navtalk.ai');
    expect(configFromEnv({ ...base, NAVTALK_BASE_URL: 'https://app.navtalk.ai/' }).previewBaseUrl).toBe('https://api.navtalk.ai');
    expect(configFromEnv({ ...base, NAVTALK_BASE_URL: 'http://127.0.0.1:8790' }).previewBaseUrl).toBe('http://127.0.0.1:8790');
    expect(configFromEnv({ ...base, NAVTALK_BASE_URL: 'https://navtalk.ai.evil.example' }).previewBaseUrl).toBe('https://navtalk.ai.evil.example');
    expect(configFromEnv({ ...base, NAVTALK_PREVIEW_BASE_URL: 'https://cdn.example.com/navtalk/' }).previewBaseUrl).toBe('https://cdn.example.com/navtalk');
    expect(configFromEnv({ ...base, NAVTALK_PREVIEW_BASE_URL: 'ftp://x' }).problems).toEqual(['NAVTALK_PREVIEW_BASE_URL must be an http(s) URL']);
  });
});
