import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FAILED_TASK_ERROR } from '../../src/mock/server.js';
import { errorBodySchema, taskStateSchema, type TaskState } from '../../src/protocol/index.js';
import { configFromEnv, createProxyHandler, FAILURE_TTL_MS, MemoryBudget, type Budget } from '../../src/proxy/index.js';
import {
  badRequests, methodBodies, ORIGIN, PREVIOUS_SECRET, requestFor, signed, TEST_ENV, textBody, TUNING,
} from './cases.js';
import { ENDPOINT, generateCalls, makeProxy, queryCalls, useMock } from './harness.js';

const h = useMock();

const state = async (response: Response): Promise<TaskState> => {
  expect(response.status).toBe(200);
  return taskStateSchema.parse(await response.json());
};
const errorOf = async (response: Response) => errorBodySchema.parse(await response.json()).error;

describe('forwarding', () => {
  it('forwards each of the 9 methods once, with the license added and exactly the NavTalk fields', async () => {
    const proxy = makeProxy(h);
    const bodies = methodBodies('nine');
    for (const body of bodies) {
      const started = await state(await proxy.post(await signed(body)));
      expect(started.task_id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(started.status).toBe('started');
    }
    const calls = generateCalls(h.mock.calls);
    expect(calls).toHaveLength(9);
    calls.forEach((call, i) => expect(call.body).toEqual({ license: h.mock.license, ...bodies[i] }));
    expect(calls[0]!.body).toMatchObject(TUNING); // numbers stay numbers
  });

  it('polls NavTalk and reports done with the video URL, keeping the upstream id to itself', async () => {
    const proxy = makeProxy(h);
    const started = await state(await proxy.post(await signed(textBody('done'))));
    const done = await proxy.settle(started.task_id);
    expect(done).toEqual({ task_id: started.task_id, status: 'done', video_url: expect.stringMatching(/\/videos\/.+\.mp4$/) });
    expect(generateCalls(h.mock.calls)).toHaveLength(1);
    expect(queryCalls(h.mock.calls).length).toBeGreaterThan(0);
    expect(queryCalls(h.mock.calls).every((c) => c.query.license === h.mock.license)).toBe(true);
  });

  it('serves over plain node:http too (a host adapter) and answers a done request from cache', async () => {
    const proxy = makeProxy(h);
    const server = createServer(async (req, res) => {
      const body = req.method === 'POST' ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : null;
      const request = new Request(`http://${req.headers.host}${req.url}`, {
        method: req.method!, headers: req.headers as Record<string, string>, body, duplex: 'half',
      } as RequestInit);
      const response = await proxy.handler(request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
    try {
      const body = JSON.stringify(await signed(textBody('http')));
      const post = () => fetch(base, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body });
      const first = await state(await h.responses.keep(await post()));
      await proxy.settle(first.task_id);
      const before = h.mock.calls.length;
      const again = await state(await h.responses.keep(await post()));
      expect(again).toMatchObject({ task_id: first.task_id, status: 'done' });
      expect(h.mock.calls.length).toBe(before); // a cached request: 0 upstream calls
    } finally {
      server.close();
    }
  });
});

describe('refusals cost nothing', () => {
  it('answers every invalid, foreign, unsigned or oversize request with the right 4xx and 0 upstream calls', async () => {
    const proxy = makeProxy(h);
    for (const bad of await badRequests('refuse')) {
      const response = await h.responses.keep(await proxy.handler(requestFor(ENDPOINT, bad)));
      expect(response.status, bad.name).toBe(bad.status);
      const error = await errorOf(response);
      expect(error.code, bad.name).toBe(bad.code);
      expect(error.message.length, bad.name).toBeGreaterThan(10);
      const acao = response.headers.get('access-control-allow-origin');
      expect(acao, bad.name).toBe(bad.code === 'origin_not_allowed' ? null : ORIGIN);
    }
    expect(h.mock.calls).toEqual([]);
  });

  it('accepts a body signed with the previous secret (rotation)', async () => {
    const proxy = makeProxy(h);
    const response = await proxy.post(await signed(textBody('rotation'), PREVIOUS_SECRET));
    expect((await state(response)).status).toBe('started');
    expect(generateCalls(h.mock.calls)).toHaveLength(1);
  });

  it('lets trusted media origins use private addresses, and nobody else', async () => {
    const sample = `${h.mock.url}/samples/face.png`;
    const body = { image_url: sample, audio_url: `${h.mock.url}/samples/voice.mp3` };
    const strict = makeProxy(h);
    expect((await errorOf(await strict.post(await signed(body)))).code).toBe('unsafe_url');
    const demo = makeProxy(h, { TRUSTED_MEDIA_ORIGINS: h.mock.url });
    expect((await state(await demo.post(await signed(body)))).status).toBe('started');
    expect(generateCalls(h.mock.calls)).toHaveLength(1);
  });

  it('answers 500 misconfigured, naming no value, when the key or the signing secret is missing', async () => {
    for (const env of [{ NAVTALK_API_KEY: '' }, { SIGNING_SECRET: '' }] as Record<string, string>[]) {
      const proxy = makeProxy(h, env);
      const response = await proxy.post(await signed(textBody('misconfigured')));
      expect(response.status).toBe(500);
      expect((await errorOf(response)).code).toBe('misconfigured');
    }
    expect(h.mock.calls).toEqual([]);
  });

  it('404s unknown, forged and malformed task ids without creating state', async () => {
    const proxy = makeProxy(h);
    for (const id of ['A'.repeat(43), 'nope', '../../etc', '']) {
      const response = await proxy.get(id);
      expect(response.status).toBe(404);
      expect((await errorOf(response)).code).toBe('not_found');
    }
    const noOrigin = await proxy.get('B'.repeat(43), {}, null);
    expect(noOrigin.status).toBe(404);
    expect(h.mock.calls).toEqual([]);
  });
});

describe('CORS', () => {
  it('answers preflight for allowed origins only, echoing the origin with Vary and exposing Retry-After', async () => {
    const proxy = makeProxy(h);
    const preflight = (origin: string) => proxy.handler(new Request(ENDPOINT, {
      method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    }));
    const ok = await h.responses.keep(await preflight(ORIGIN));
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(ok.headers.get('vary')).toBe('Origin');
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
    expect(ok.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
    const foreign = await h.responses.keep(await preflight('https://evil.example'));
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();

    const started = await proxy.post(await signed(textBody('cors')));
    expect(started.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(started.headers.get('access-control-expose-headers')).toBe('Retry-After');
    expect(started.headers.get('vary')).toBe('Origin');
    await proxy.settle((await state(started)).task_id);
  });
});

describe('coalescing and cache', () => {
  it('turns 200 concurrent identical requests into 1 upstream generation, all with the same id', async () => {
    const proxy = makeProxy(h, { RATE_LIMIT_PER_MINUTE: '5' });
    const body = await signed(textBody('coalesce'));
    const answers = await Promise.all(Array.from({ length: 200 }, () => proxy.post(body).then(state)));
    expect(new Set(answers.map((a) => a.task_id)).size).toBe(1);
    expect(generateCalls(h.mock.calls)).toHaveLength(1);
    await proxy.settle(answers[0]!.task_id);
  });

  it('answers a finished request at once with 0 upstream calls, and key order or NFD text do not matter', async () => {
    const proxy = makeProxy(h);
    const body = { character_name: 'navtalk.Leo', content: 'Caf\u00e9 ready.', voice: 'echo' };
    const first = await state(await proxy.post(await signed(body)));
    await proxy.settle(first.task_id);
    const before = h.mock.calls.length;
    const reordered = { voice: 'echo', content: 'Cafe\u0301 ready.', character_name: 'navtalk.Leo' };
    const cached = await state(await proxy.post(await signed(reordered)));
    expect(cached).toMatchObject({ task_id: first.task_id, status: 'done', video_url: expect.any(String) });
    expect(h.mock.calls.length).toBe(before);
  });
});

describe('budget and rate limit', () => {
  it('stops new generations past DAILY_GENERATION_LIMIT with 429 and Retry-After until UTC midnight; cache hits still work', async () => {
    const proxy = makeProxy(h, { DAILY_GENERATION_LIMIT: '2' });
    const [a, b, c] = methodBodies('budget').slice(6);
    const first = await state(await proxy.post(await signed(a!)));
    await state(await proxy.post(await signed(b!)));
    const refused = await proxy.post(await signed(c!));
    expect(refused.status).toBe(429);
    expect((await errorOf(refused)).code).toBe('budget_exhausted');
    const retryAfter = Number(refused.headers.get('retry-after'));
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    expect(Math.abs(retryAfter - (midnight.getTime() - Date.now()) / 1000)).toBeLessThan(5);
    expect(generateCalls(h.mock.calls)).toHaveLength(2);

    await proxy.settle(first.task_id);
    const cached = await state(await proxy.post(await signed(a!)));
    expect(cached.status).toBe('done');
    expect(generateCalls(h.mock.calls)).toHaveLength(2);
  });

  it('denies with 503 unavailable when the budget cannot be reached', async () => {
    const broken: Budget = Object.assign(new MemoryBudget(), { reserve: () => Promise.reject(new Error('storage down')) });
    const proxy = makeProxy(h, {}, { budget: broken });
    const response = await proxy.post(await signed(textBody('budget-down')));
    expect(response.status).toBe(503);
    expect((await errorOf(response)).code).toBe('unavailable');
    expect(h.mock.calls).toEqual([]);
  });

  it('limits each client to RATE_LIMIT_PER_MINUTE new generations with 429 and Retry-After, but not polls or cache hits', async () => {
    let ip = '203.0.113.7';
    const proxy = makeProxy(h, { RATE_LIMIT_PER_MINUTE: '2' }, { clientKey: () => ip });
    const bodies = await Promise.all(methodBodies('rate').map((b) => signed(b)));
    const first = await state(await proxy.post(bodies[0]));
    await state(await proxy.post(bodies[1]));
    const limited = await proxy.post(bodies[2]);
    expect(limited.status).toBe(429);
    expect((await errorOf(limited)).code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(30);
    expect((await state(await proxy.post(bodies[0]))).task_id).toBe(first.task_id); // in flight: not counted
    await proxy.settle(first.task_id);
    expect((await state(await proxy.post(bodies[0]))).status).toBe('done'); // cached: not counted
    ip = '198.51.100.9';
    expect((await state(await proxy.post(bodies[2]))).status).toBe('started');
    expect(generateCalls(h.mock.calls)).toHaveLength(3);
  });

  it('a shared budget is exact across handlers (one store behind several instances)', async () => {
    const budget = new MemoryBudget();
    const one = makeProxy(h, { DAILY_GENERATION_LIMIT: '3' }, { budget });
    const two = makeProxy(h, { DAILY_GENERATION_LIMIT: '3' }, { budget });
    const bodies = await Promise.all(methodBodies('shared').map((b) => signed(b)));
    const answers = await Promise.all(bodies.map((b, i) => (i % 2 ? one : two).post(b)));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(3);
    expect(answers.filter((r) => r.status === 429)).toHaveLength(6);
    expect(generateCalls(h.mock.calls)).toHaveLength(3);
  });
});

describe('long-poll', () => {
  it('holds a GET until the status differs from the one the client saw', async () => {
    h.mock.configure({ timing: { processingAfterMs: 300, doneAfterMs: 600 } });
    const proxy = makeProxy(h);
    const started = await state(await proxy.post(await signed(textBody('long-poll'))));
    const processing = await state(await proxy.get(started.task_id, { wait: '10', status: 'started' }));
    expect(processing.status).toBe('processing');
    const done = await state(await proxy.get(started.task_id, { wait: '10', status: 'processing' }));
    expect(done.status).toBe('done');
    // A client that saw an older status gets the current one at once.
    expect((await state(await proxy.get(started.task_id, { wait: '10', status: 'started' }))).status).toBe('done');
    expect(generateCalls(h.mock.calls)).toHaveLength(1);
  });

  it('rejects a malformed wait or status', async () => {
    const proxy = makeProxy(h);
    const started = await state(await proxy.post(await signed(textBody('long-poll-bad'))));
    expect((await proxy.get(started.task_id, { wait: 'soon' })).status).toBe(400);
    expect((await proxy.get(started.task_id, { wait: '1', status: 'finished' })).status).toBe(400);
    await proxy.settle(started.task_id);
  });
});

describe('NavTalk faults', () => {
  for (const kind of ['500', '503', '429', '401', 'malformed', 'reset', 'timeout'] as const) {
    it(`generate ${kind}: a clear error, no retry of /generate; for a minute the failure is answered, Try again starts anew`, async () => {
      const proxy = makeProxy(h, { UPSTREAM_TIMEOUT_MS: '300' });
      h.mock.configure({ faults: { generate: { kind, times: 1, retryAfter: 7 } } });
      const body = await signed(textBody(`generate-${kind}`));
      const response = await proxy.post(body);
      const error = await errorOf(response);
      expect(response.status).toBe(kind === 'timeout' ? 504 : kind === '429' ? 503 : 502);
      expect(error.code).toBe(kind === 'timeout' ? 'timeout' : 'upstream_failed');
      if (kind === '429') expect(response.headers.get('retry-after')).toBe('7');
      expect(generateCalls(h.mock.calls)).toHaveLength(1);

      expect(await state(await proxy.post(body))).toMatchObject({ status: 'failed', error: { code: error.code } });
      expect(generateCalls(h.mock.calls)).toHaveLength(1);
      const retried = await state(await proxy.post(body, { query: '?recheck=1' }));
      expect(retried.status).toBe('started');
      expect(generateCalls(h.mock.calls)).toHaveLength(2);
      expect((await proxy.settle(retried.task_id)).status).toBe('done');
    });
  }

  for (const kind of ['500', '503', '429', '401', 'malformed', 'reset', 'timeout'] as const) {
    it(`query ${kind} twice: recovered by retried polls`, async () => {
      const proxy = makeProxy(h, { UPSTREAM_TIMEOUT_MS: '300' });
      h.mock.configure({ faults: { query: { kind, times: 2, retryAfter: 0 } } });
      const started = await state(await proxy.post(await signed(textBody(`query-${kind}`))));
      expect((await proxy.settle(started.task_id)).status).toBe('done');
      expect(generateCalls(h.mock.calls)).toHaveLength(1);
      expect(queryCalls(h.mock.calls).length).toBeGreaterThanOrEqual(3);
    });
  }

  it('a task NavTalk accepts and then fails is generation_failed with its reason; for a minute new viewers get that failure at no cost', async () => {
    let clock = Date.now();
    const proxy = makeProxy(h, {}, { now: () => clock });
    h.mock.configure({ faults: { outcome: 'failed' } });
    const body = await signed(textBody('outcome-failed'));
    const failed = await proxy.settle((await state(await proxy.post(body))).task_id);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'generation_failed', message: `NavTalk could not make this video: ${FAILED_TASK_ERROR}` } });
    const viewers = await Promise.all([1, 2, 3].map(async () => state(await proxy.post(body))));
    expect(viewers).toEqual([failed, failed, failed]);
    expect(generateCalls(h.mock.calls)).toHaveLength(1);

    // A minute later the failure is forgotten: the next viewer starts the script again (it does not stay failed for a day).
    h.mock.configure({ faults: { outcome: undefined } });
    clock += FAILURE_TTL_MS;
    const later = await state(await proxy.post(body));
    expect(later.status).toBe('started');
    expect((await proxy.settle(later.task_id)).status).toBe('done');
    expect(generateCalls(h.mock.calls)).toHaveLength(2);
  });

  it('Try again (a recheck) after a failure makes exactly one new generation, however many viewers ask at once', async () => {
    const proxy = makeProxy(h);
    h.mock.configure({ faults: { outcome: 'failed_silently' } });
    const body = await signed(textBody('outcome-retry'));
    const failed = await proxy.settle((await state(await proxy.post(body))).task_id);
    expect(failed.error).toEqual({ code: 'generation_failed', message: 'NavTalk could not generate the video.' });
    h.mock.configure({ faults: { outcome: undefined } });
    const retries = await Promise.all([1, 2, 3, 4].map(async () => state(await proxy.post(body, { query: '?recheck=1' }))));
    expect(new Set(retries.map((r) => `${r.task_id} ${r.status}`))).toEqual(new Set([`${failed.task_id} started`]));
    expect((await proxy.settle(failed.task_id)).status).toBe('done');
    expect(generateCalls(h.mock.calls)).toHaveLength(2);
    // Done now: a further Try again of the same script is a recheck of a fine video, and costs nothing.
    expect((await state(await proxy.post(body, { query: '?recheck=1' }))).status).toBe('done');
    expect(generateCalls(h.mock.calls)).toHaveLength(2);
  });

  it('Try again goes through the rate limit and the daily budget like any new generation', async () => {
    const proxy = makeProxy(h, { DAILY_GENERATION_LIMIT: '1' });
    h.mock.configure({ faults: { outcome: 'failed' } });
    const body = await signed(textBody('outcome-budget'));
    expect((await proxy.settle((await state(await proxy.post(body))).task_id)).status).toBe('failed');
    const retried = await proxy.post(body, { query: '?recheck=1' });
    expect(retried.status).toBe(429);
    expect((await errorOf(retried)).code).toBe('budget_exhausted');
    expect(generateCalls(h.mock.calls)).toHaveLength(1);
  });

  it('/generate 400: upstream_rejected with NavTalk\'s reason, one line, without the key or links; not asked again, budget spent once', async () => {
    const budget = new MemoryBudget();
    const proxy = makeProxy(h, { DAILY_GENERATION_LIMIT: '2' }, { budget });
    h.mock.configure({ faults: { generate: { kind: '400', times: 1, message: 'face image\nunreadable for {license}, see https://docs.example/x <b>' } } });
    const body = await signed(textBody('refused'));
    for (const query of ['', '', '?recheck=1']) {
      const refused = await proxy.post(body, { query });
      expect(refused.status).toBe(422);
      expect(await errorOf(refused)).toEqual({ code: 'upstream_rejected', message: 'NavTalk refused this request: face image unreadable for [redacted], see [link] b.' });
    }
    expect(generateCalls(h.mock.calls)).toHaveLength(1);
    // One unit of the budget of 2 went to the refused request: one more new video fits, the next does not.
    const fits = await proxy.post(await signed(textBody('after-refusal-1')));
    await proxy.settle((await state(fits)).task_id); // so that its polls end with this test
    expect((await proxy.post(await signed(textBody('after-refusal-2')))).status).toBe(429);
  });

  it('a voice outside NavTalk\'s list is refused before NavTalk; ALLOWED_VOICES may add one, which then reaches NavTalk', async () => {
    const strict = makeProxy(h);
    const typo = await strict.post(await signed({ ...textBody('voice'), voice: 'marin' }));
    expect(typo.status).toBe(400);
    expect((await errorOf(typo)).message).toBe('voice must be one of alloy, ash, ballad, coral, echo, fable, onyx, nova, sage, shimmer, verse (got "marin").');
    expect(generateCalls(h.mock.calls)).toHaveLength(0);

    const extended = makeProxy(h, { ALLOWED_VOICES: 'echo,marin' });
    const onlyListed = await extended.post(await signed({ ...textBody('voice'), voice: 'nova' }));
    expect((await errorOf(onlyListed)).message).toMatch(/^voice must be one of echo, marin/);
    // The mock knows only NavTalk's 11, so the new voice comes back as NavTalk's own refusal.
    const marin = await extended.post(await signed({ ...textBody('voice'), voice: 'marin' }));
    expect(await errorOf(marin)).toEqual({ code: 'upstream_rejected', message: expect.stringMatching(/^NavTalk refused this request: voice must be one of/) });
    expect(generateCalls(h.mock.calls)).toHaveLength(1);
  });

  it('a task that never finishes fails with timeout at UPSTREAM_MAX_WAIT_SECONDS, and polling stops', async () => {
    const proxy = makeProxy(h, { UPSTREAM_MAX_WAIT_SECONDS: '1' });
    h.mock.configure({ faults: { outcome: 'never' } });
    const started = await state(await proxy.post(await signed(textBody('never'))));
    const failed = await proxy.settle(started.task_id);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'timeout' } });
    const polls = queryCalls(h.mock.calls).length;
    await new Promise((r) => setTimeout(r, 100));
    expect(queryCalls(h.mock.calls).length).toBe(polls);
  });

  it('a status endpoint that keeps failing gives up at the deadline with upstream_failed', async () => {
    const proxy = makeProxy(h, { UPSTREAM_MAX_WAIT_SECONDS: '1' });
    h.mock.configure({ faults: { query: { kind: '503' } } });
    const started = await state(await proxy.post(await signed(textBody('query-down'))));
    expect(await proxy.settle(started.task_id)).toMatchObject({ status: 'failed', error: { code: 'upstream_failed' } });
  });

  it('a persistent 401 on polls fails the task quickly instead of waiting out the deadline', async () => {
    const proxy = makeProxy(h);
    h.mock.configure({ faults: { query: { kind: '401' } } });
    const started = await state(await proxy.post(await signed(textBody('query-401'))));
    expect(await proxy.settle(started.task_id)).toMatchObject({ status: 'failed', error: { code: 'upstream_failed' } });
    expect(queryCalls(h.mock.calls)).toHaveLength(3);
  });
});

describe('configuration', () => {
  it('reads every variable, and reports bad ones by name without their values', () => {
    const config = configFromEnv({ ...TEST_ENV, NAVTALK_API_KEY: 'sk-1', ALLOWED_VOICES: 'echo, nova', NAVTALK_BASE_URL: 'https://api.navtalk.ai/' });
    expect(config.problems).toEqual([]);
    expect(config.baseUrl).toBe('https://api.navtalk.ai');
    expect([...config.voices]).toEqual(['echo', 'nova']);
    expect(config.upstreamPollIntervalMs).toBe(20);
    expect(configFromEnv({ ...TEST_ENV, UPSTREAM_POLL_INTERVAL_MS: '' }).upstreamPollIntervalMs).toBe(null);
    expect(configFromEnv({ ...TEST_ENV, ALLOWED_VOICES: 'echo, Nova!' }).problems.join(' ')).toMatch(/ALLOWED_VOICES/);
    expect(config.signingSecrets).toHaveLength(2);
    const bad = configFromEnv({ NAVTALK_API_KEY: 'sk-secret-value', ALLOWED_ORIGINS: '*', DAILY_GENERATION_LIMIT: 'lots', AUTH_MODE: 'maybe' });
    expect(bad.problems.join(' ')).toMatch(/ALLOWED_ORIGINS.*AUTH_MODE.*DAILY_GENERATION_LIMIT/);
    expect(bad.problems.join(' ')).not.toMatch(/lots|maybe|sk-secret-value/);
    expect(configFromEnv({ NAVTALK_API_KEY: 'k', ALLOWED_ORIGINS: ORIGIN, AUTH_MODE: 'open' }).problems).toEqual([]);
  });

  it('open mode takes unsigned requests (still guarded by the budget)', async () => {
    const proxy = makeProxy(h, { AUTH_MODE: 'open', SIGNING_SECRET: '', DAILY_GENERATION_LIMIT: '1' });
    expect((await state(await proxy.post(textBody('open-1')))).status).toBe('started');
    expect((await proxy.post(textBody('open-2'))).status).toBe(429);
    expect(generateCalls(h.mock.calls)).toHaveLength(1);
  });

  it('never logs the key, even from an exception that quotes it', async () => {
    const proxy = makeProxy(h, {}, {
      fetch: () => Promise.reject(new Error(`connect failed for license=${h.mock.license}`)),
    });
    const response = await proxy.post(await signed(textBody('log-scan')));
    expect(response.status).toBe(502);
    expect(h.logs.some((l) => l.includes('generate_failed'))).toBe(true);
  });

  it('creates its handler from configFromEnv output alone (defaults for everything else)', async () => {
    const handler = createProxyHandler({ config: configFromEnv({ NAVTALK_API_KEY: 'k', SIGNING_SECRET: 's', ALLOWED_ORIGINS: ORIGIN }) });
    const response = await handler(new Request(ENDPOINT, { method: 'OPTIONS', headers: { origin: ORIGIN } }));
    expect(response.status).toBe(204);
  });
});
