// `GET`/`HEAD {endpoint}?script=...`: the finished video of a script, for a `<video>` to load with no preflight. It is
// checked as the POST of the same body is, and only reads: it never starts a task, spends a token or the budget, or
// calls NavTalk.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { nodeListener } from '../../src/node/index.js';
import { MAX_SCRIPT_URL_LENGTH, QUERY, errorBodySchema, scriptUrl, taskStateSchema, type GenerateRequest, type TaskState } from '../../src/protocol/index.js';
import {
  MemoryBudget, MemoryRateLimiter, MemoryResultStore, type ProxyHandlerOptions, type PutInfo, type RateLimiter,
} from '../../src/proxy/index.js';
import { OTHER_ORIGIN, ORIGIN, PREVIOUS_SECRET, badRequests, requestFor, signed, textBody } from './cases.js';
import { ENDPOINT, generateCalls, makeProxy, queryCalls, useMock, type Harness, type Proxy } from './harness.js';

const h = useMock();
/** The MP4 the mock hands out for every done task. */
const TASK_VIDEO = readFileSync(new URL('../../src/mock/samples/avatar.mp4', import.meta.url));
const NOT_MADE = { code: 'not_found', message: 'This video is not made yet: POST the request to make it.' };

const errorOf = async (response: Response) => errorBodySchema.parse(await response.json()).error;
const stateOf = async (response: Response): Promise<TaskState> => {
  expect(response.status, await response.clone().text()).toBe(200);
  return taskStateSchema.parse(await response.json());
};

/** The `?script=` URL of any JSON value, as scriptUrl would make it for a request (and without its limits). */
const rawScriptUrl = (value: unknown) => `${ENDPOINT}?${QUERY.script}=${Buffer.from(JSON.stringify(value)).toString('base64url')}`;

interface Scripted extends Proxy {
  budget: MemoryBudget;
  /** `GET` (or `method`) of the script URL of `body`, as a `<video>` sends it: no Origin unless `headers` say. */
  script(body: unknown, init?: RequestInit & { headers?: Record<string, string> }): Promise<Response>;
  /** The same for any URL. */
  load(url: string, init?: RequestInit): Promise<Response>;
  /** POSTs `body` and follows it to its end. */
  made(body: Record<string, unknown>): Promise<TaskState>;
  /** Resolves once the handler has logged `event` (at once if it already has). */
  logged(event: string): Promise<void>;
  /** Today's generations and refusals as invalid. */
  usage(): Promise<{ generations: number; invalid: number }>;
}

function scripted(harness: Harness, env: Record<string, string> = {}, options: Partial<ProxyHandlerOptions> = {}): Scripted {
  const budget = new MemoryBudget();
  const waiting: { event: string; resolve: () => void }[] = [];
  const events: string[] = [];
  const proxy = makeProxy(harness, env, {
    budget,
    log: (level, event, fields) => {
      harness.logs.push(JSON.stringify({ level, event, ...fields }));
      events.push(event);
      for (const waiter of waiting.filter((w) => w.event === event)) waiter.resolve();
    },
    ...options,
  });
  return Object.assign(proxy, {
    budget,
    script(body: unknown, init: RequestInit = {}) {
      // What the element would load; bodies it would never send (or too long for it) as scriptUrl would encode them.
      const request = typeof body === 'object' && body !== null && !Array.isArray(body) ? scriptUrl(ENDPOINT, body as GenerateRequest) : null;
      return this.load(request ?? rawScriptUrl(body), init);
    },
    async load(url: string, init: RequestInit = {}) {
      return harness.responses.keep(await proxy.handler(new Request(url, init)));
    },
    async made(body: Record<string, unknown>) {
      const started = await stateOf(await proxy.post(body));
      return started.status === 'done' ? started : proxy.settle(started.task_id);
    },
    logged: (event: string) => (events.includes(event) ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ event, resolve }))),
    async usage() {
      const [today] = (await budget.usage(1, Date.now())).days;
      return { generations: today!.generations, invalid: today!.refused.invalid_input };
    },
  });
}

/** A result store whose writes wait for `release()`; `putting` resolves when the first write starts. */
class HeldStore extends MemoryResultStore {
  release!: () => void;
  private readonly released = new Promise<void>((resolve) => (this.release = resolve));
  private started!: () => void;
  readonly putting = new Promise<void>((resolve) => (this.started = resolve));

  override async put(id: string, body: ReadableStream<Uint8Array>, info: PutInfo): Promise<void> {
    this.started();
    await this.released;
    return super.put(id, body, info);
  }
}

describe('a script not made yet', () => {
  it('is 404 not_found, no-store, for GET and HEAD, with or without an allowed Origin: no NavTalk call, no budget', async () => {
    const proxy = scripted(h);
    const body = await signed(textBody('script-unknown'));
    for (const [method, headers] of [['GET', {}], ['HEAD', {}], ['GET', { origin: ORIGIN }]] as const) {
      const response = await proxy.script(body, { method, headers });
      expect([response.status, response.headers.get('cache-control')], method).toEqual([404, 'no-store']);
      expect(response.headers.get('access-control-allow-origin')).toBe('origin' in headers ? ORIGIN : null);
      expect(await errorOf(response)).toEqual(NOT_MADE);
    }
    expect(h.mock.calls).toEqual([]);
    expect(await proxy.usage()).toEqual({ generations: 0, invalid: 0 });
  });

  it('while it is being made: 404, and nothing is started, polled or spent by asking', async () => {
    // NavTalk is polled once a minute: only the test's requests could make the proxy ask it anything.
    const proxy = scripted(h, { UPSTREAM_POLL_INTERVAL_MS: '60000' });
    const body = await signed(textBody('script-running'));
    expect((await stateOf(await proxy.post(body))).status).toBe('started');
    const answers = await Promise.all(Array.from({ length: 20 }, () => proxy.script(body)));
    for (const answer of answers) expect([answer.status, await errorOf(answer)]).toEqual([404, NOT_MADE]);
    expect(generateCalls(h.mock.calls)).toHaveLength(1);
    expect(queryCalls(h.mock.calls)).toHaveLength(0);
    expect(await proxy.usage()).toEqual({ generations: 1, invalid: 0 });
  });

  it('a failed one: 404 (the page POSTs, which answers the failure), with no new generation', async () => {
    const proxy = scripted(h);
    h.mock.configure({ faults: { outcome: 'failed' } });
    const body = await signed(textBody('script-failed'));
    expect((await proxy.made(body)).status).toBe('failed');
    const answer = await proxy.script(body);
    expect([answer.status, await errorOf(answer)]).toEqual([404, NOT_MADE]);
    expect(generateCalls(h.mock.calls)).toHaveLength(1);
  });

  it('a flood of GETs for unmade scripts costs no token, no budget and no NavTalk call', async () => {
    const limiter = new MemoryRateLimiter();
    let takes = 0;
    const counting: RateLimiter = { take: (key, perMinute, now) => (takes++, limiter.take(key, perMinute, now)) };
    const proxy = scripted(h, { RATE_LIMIT_PER_MINUTE: '1' }, { limiter: counting });
    const same = await signed(textBody('script-flood'));
    const distinct = await Promise.all(Array.from({ length: 100 }, (_, i) => signed(textBody(`script-flood-${i}`))));
    const answers = await Promise.all([...Array.from({ length: 200 }, () => proxy.script(same)), ...distinct.map((b) => proxy.script(b))]);
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([404]));
    expect(h.mock.calls).toEqual([]);
    expect(takes).toBe(0);
    expect(await proxy.usage()).toEqual({ generations: 0, invalid: 0 });
    // The one token a minute is still there for the page's POST.
    expect((await stateOf(await proxy.post(same))).status).toBe('started');
    expect(takes).toBe(1);
  });
});

describe('a script made', () => {
  it('without a result store: 302 to the video\'s URL, kept briefly and privately; no NavTalk call', async () => {
    const proxy = scripted(h);
    const body = await signed(textBody('script-redirect'));
    const done = await proxy.made(body);
    const calls = h.mock.calls.length;
    for (const method of ['GET', 'HEAD']) {
      const answer = await proxy.script(body, { method });
      expect([answer.status, answer.headers.get('location'), answer.headers.get('cache-control')], method)
        .toEqual([302, done.video_url, 'private, max-age=60']);
    }
    const withOrigin = await proxy.script(body, { headers: { origin: ORIGIN } });
    expect([withOrigin.status, withOrigin.headers.get('access-control-allow-origin')]).toEqual([302, ORIGIN]);
    expect(h.mock.calls.length).toBe(calls);
    expect(await proxy.usage()).toEqual({ generations: 1, invalid: 0 });
  });

  it('the redirect is kept no longer than RESULT_TTL_SECONDS, the proxy\'s own hold on the URL', async () => {
    const proxy = scripted(h, { RESULT_TTL_SECONDS: '30' });
    const body = await signed(textBody('script-short-ttl'));
    await proxy.made(body);
    expect((await proxy.script(body)).headers.get('cache-control')).toBe('private, max-age=30');
  });

  it('any key order or Unicode form of the same script finds it (the task id is the POST\'s)', async () => {
    const proxy = scripted(h);
    const done = await proxy.made(await signed({ character_name: 'navtalk.Leo', content: 'Caf\u00e9 script.', voice: 'echo' }));
    const reordered = await signed({ voice: 'echo', content: 'Cafe\u0301 script.', character_name: 'navtalk.Leo' });
    const answer = await proxy.script(reordered);
    expect([answer.status, answer.headers.get('location')]).toEqual([302, done.video_url]);
  });

  it('with a result store: NavTalk\'s URL (302) until the copy is in, then the stored video with Range, HEAD, ETag, caching', async () => {
    const results = new HeldStore();
    const proxy = scripted(h, {}, { results });
    const body = await signed(textBody('script-stored'));
    const done = await proxy.made(body);
    await results.putting; // the copy is under way, and held
    const early = await proxy.script(body);
    expect([early.status, early.headers.get('location')]).toEqual([302, done.video_url]);
    results.release();
    await proxy.logged('video_stored');

    const whole = await proxy.script(body, { headers: { origin: ORIGIN } });
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.arrayBuffer()).equals(TASK_VIDEO)).toBe(true);
    expect(Object.fromEntries(['content-type', 'content-length', 'accept-ranges', 'cache-control', 'access-control-allow-origin', 'location'].map((k) => [k, whole.headers.get(k)]))).toEqual({
      'content-type': 'video/mp4', 'content-length': String(TASK_VIDEO.length), 'accept-ranges': 'bytes',
      'cache-control': 'public, max-age=31536000, immutable', 'access-control-allow-origin': ORIGIN, location: null,
    });
    const etag = whole.headers.get('etag')!;
    // The same bytes and validator as the `?video=` URL the POST now answers.
    const stored = await stateOf(await proxy.get(done.task_id));
    const video = await proxy.handler(new Request(stored.video_url!));
    expect(video.headers.get('etag')).toBe(etag);

    const part = await proxy.script(body, { headers: { range: 'bytes=100-199' } });
    expect([part.status, part.headers.get('content-range')]).toEqual([206, `bytes 100-199/${TASK_VIDEO.length}`]);
    expect(Buffer.from(await part.arrayBuffer()).equals(TASK_VIDEO.subarray(100, 200))).toBe(true);
    const beyond = await proxy.script(body, { headers: { range: `bytes=${TASK_VIDEO.length}-` } });
    expect([beyond.status, beyond.headers.get('content-range')]).toEqual([416, `bytes */${TASK_VIDEO.length}`]);
    const head = await proxy.script(body, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length'), await head.text()]).toEqual([200, String(TASK_VIDEO.length), '']);
    const unchanged = await proxy.script(body, { headers: { 'if-none-match': etag } });
    expect(unchanged.status).toBe(304);

    expect(generateCalls(h.mock.calls)).toHaveLength(1);
    expect(await proxy.usage()).toEqual({ generations: 1, invalid: 0 });
  });

  it('a stored copy that is gone: 404 (the page POSTs, then rechecks), not a redirect to the missing copy', async () => {
    const results = new MemoryResultStore();
    const proxy = scripted(h, {}, { results });
    const body = await signed(textBody('script-copy-gone'));
    const done = await proxy.made(body);
    await proxy.logged('video_stored');
    expect((await proxy.script(body)).status).toBe(200);
    await results.delete(done.task_id);
    const answer = await proxy.script(body);
    expect([answer.status, answer.headers.get('cache-control'), await errorOf(answer)]).toEqual([404, 'no-store', NOT_MADE]);
    expect(generateCalls(h.mock.calls)).toHaveLength(1);
  });
});

describe('checked as the POST of the same body is', () => {
  it('every invalid or unsigned body the POST refuses is refused alike (status, code, message), counted alike, 0 NavTalk calls', async () => {
    const proxy = scripted(h);
    // The bodies a `<video>` could carry: JSON, from an allowed origin, that fit in a script URL.
    const bads = (await badRequests('script-refuse')).filter((bad) =>
      bad.method === undefined && bad.raw === undefined && !bad.stream && !bad.headers && bad.origin === undefined
      && rawScriptUrl(bad.body).length <= MAX_SCRIPT_URL_LENGTH);
    expect(bads.length).toBeGreaterThan(40);
    let counted = 0;
    for (const bad of bads) {
      const posted = await h.responses.keep(await proxy.handler(requestFor(ENDPOINT, bad)));
      const got = await proxy.script(bad.body, { headers: { origin: ORIGIN } });
      expect([got.status, await errorOf(got)], bad.name).toEqual([posted.status, await errorOf(posted)]);
      expect(got.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      if (got.status === 400) counted += 2; // the POST's refusal and the script's
    }
    expect(counted).toBeGreaterThan(0);
    expect(await proxy.usage()).toEqual({ generations: 0, invalid: counted });
    expect(h.mock.calls).toEqual([]);
  });

  it.each<[string, string, string]>([
    ['not base64url', `${ENDPOINT}?script=${encodeURIComponent('{"content":"hi"}')}`, 'must be the base64url'],
    ['empty', `${ENDPOINT}?script=`, 'must be the base64url'],
    ['base64url of text that is not JSON', `${ENDPOINT}?script=${Buffer.from('hello').toString('base64url')}`, 'must be the base64url'],
    ['base64url of bytes that are not UTF-8', `${ENDPOINT}?script=${Buffer.from([0x22, 0xff, 0x22]).toString('base64url')}`, 'must be the base64url'],
    ['longer than any script URL', `${ENDPOINT}?script=${'A'.repeat(MAX_SCRIPT_URL_LENGTH + 1)}`, `must be at most ${MAX_SCRIPT_URL_LENGTH} characters`],
  ])('a script that is %s: 400 invalid_input, counted, 0 NavTalk calls', async (_, url, message) => {
    const proxy = scripted(h);
    const answer = await proxy.load(url);
    expect(answer.status).toBe(400);
    const error = await errorOf(answer);
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain(message);
    expect(await proxy.usage()).toEqual({ generations: 0, invalid: 1 });
    expect(h.mock.calls).toEqual([]);
  });

  it('a script that carries more than MAX_BODY_BYTES is refused before it is decoded, as its POST would be', async () => {
    const proxy = scripted(h, { MAX_BODY_BYTES: '1000' });
    const body = await signed({ ...textBody('script-body-bound'), content: 'x'.repeat(1100) });
    expect((await proxy.post(body)).status).toBe(413);
    const answer = await proxy.script(body);
    expect([answer.status, (await errorOf(answer)).message]).toEqual([400, `script must be at most ${MAX_SCRIPT_URL_LENGTH} characters, and carry at most 1000 bytes: POST a longer request.`]);
    expect(await proxy.usage()).toEqual({ generations: 0, invalid: 2 });
  });

  it('signed mode: a made video is not served for a missing or wrong signature; either secret\'s is', async () => {
    const proxy = scripted(h);
    const plain = textBody('script-signed');
    const done = await proxy.made(await signed(plain));
    const unsigned = await proxy.script(plain);
    expect([unsigned.status, (await errorOf(unsigned)).code]).toEqual([401, 'signature_required']);
    const forged = await proxy.script({ ...plain, signature: 'A'.repeat(43) });
    expect([forged.status, (await errorOf(forged)).code]).toEqual([403, 'signature_invalid']);
    const otherSecret = await proxy.script(await signed(plain, 'not-the-secret'));
    expect([otherSecret.status, (await errorOf(otherSecret)).code]).toEqual([403, 'signature_invalid']);
    for (const secret of [undefined, PREVIOUS_SECRET]) {
      const good = await proxy.script(await signed(plain, secret));
      expect([good.status, good.headers.get('location')]).toEqual([302, done.video_url]);
    }
    // Signatures are not invalid bodies: not counted.
    expect(await proxy.usage()).toEqual({ generations: 1, invalid: 0 });
  });

  it('open mode: an unsigned script is served', async () => {
    const proxy = scripted(h, { AUTH_MODE: 'open' });
    const body = textBody('script-open');
    const done = await proxy.made(body);
    const answer = await proxy.script(body);
    expect([answer.status, answer.headers.get('location')]).toEqual([302, done.video_url]);
  });

  it('a foreign Origin is 403 without CORS, made or not; other methods are 405', async () => {
    const proxy = scripted(h);
    const body = await signed(textBody('script-foreign'));
    await proxy.made(body);
    const foreign = await proxy.script(body, { headers: { origin: OTHER_ORIGIN } });
    expect([foreign.status, foreign.headers.get('access-control-allow-origin'), (await errorOf(foreign)).code]).toEqual([403, null, 'origin_not_allowed']);
    const put = await proxy.script(body, { method: 'PUT' });
    expect([put.status, put.headers.get('allow')]).toEqual([405, 'GET, POST, OPTIONS']);
    expect(generateCalls(h.mock.calls)).toHaveLength(1);
  });
});

describe('over node:http (nodeListener)', () => {
  it('serves the stored video (whole, a range, HEAD), redirects, and refuses, as the handler does', async () => {
    const results = new MemoryResultStore();
    const proxy = scripted(h, {}, { results });
    const server = createServer(nodeListener(proxy.handler));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/navtalk`;
      const urlOf = (body: GenerateRequest) => scriptUrl(base, body)!;
      const stored = await signed(textBody('script-node-stored'));
      await proxy.made(stored);
      await proxy.logged('video_stored');
      const whole = await fetch(urlOf(stored));
      expect([whole.status, whole.headers.get('content-type')]).toEqual([200, 'video/mp4']);
      expect(Buffer.from(await whole.arrayBuffer()).equals(TASK_VIDEO)).toBe(true);
      const part = await fetch(urlOf(stored), { headers: { range: 'bytes=0-9' } });
      expect([part.status, Buffer.from(await part.arrayBuffer()).equals(TASK_VIDEO.subarray(0, 10))]).toEqual([206, true]);
      const head = await fetch(urlOf(stored), { method: 'HEAD' });
      expect([head.status, head.headers.get('content-length')]).toEqual([200, String(TASK_VIDEO.length)]);
      const unknown = await fetch(urlOf(await signed(textBody('script-node-unknown'))), { redirect: 'manual' });
      expect([unknown.status, (await unknown.json()) as unknown]).toEqual([404, { error: NOT_MADE }]);
      const garbage = await fetch(`${base}?script=%25`);
      expect(garbage.status).toBe(400);
      expect(generateCalls(h.mock.calls)).toHaveLength(1);
    } finally {
      server.close();
    }
  });
});
