// The proxy protocol on both hosts, over real HTTP: answers, refusals and their codes, signatures, the rate
// limit, coalescing, the cache, NavTalk's failures and the stored results. Each case runs on the Worker under
// wrangler dev and on two Node processes on Redis, and the two must answer alike (docs/proxy.md).
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { FAILED_TASK_ERROR, SAMPLES_DIR } from '../../src/mock/server.js';
import {
  badRequests, methodBodies, ORIGIN, OTHER_ORIGIN, PREVIOUS_SECRET, signed, textBody, TUNING,
} from '../proxy/cases.js';
import { errorOf, generateCalls, stateOf, useHosts, type Client } from './hosts.js';

const RATE_LIMIT = 3;
const { conformance } = useHosts({ RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT), DAILY_GENERATION_LIMIT: '1000' });

const TASK_ID = /^[A-Za-z0-9_-]{43}$/;
/** Where a done task's video is: NavTalk's URL, or the host's stored copy once it is in. */
const VIDEO_URL = /^http:\/\/127\.0\.0\.1:\d+\/(videos\/[0-9a-f-]{36}\.mp4|\?video=[A-Za-z0-9_-]{43}&v=\w+)$/;

conformance('each of the 9 methods: POST starts it, GET follows it to done; NavTalk gets the body once, with the license', async ({ mock, newClient, t }) => {
  const bodies = methodBodies('conf-nine');
  const started = [];
  for (const body of bodies) {
    // A viewer each: nine new videos from one address would meet the rate limit.
    const client = newClient();
    const state = await stateOf(await t.answer('start', await client.post(await signed(body))));
    expect(state).toEqual({ task_id: expect.stringMatching(TASK_ID), status: 'started' });
    started.push({ client, id: state.task_id });
  }
  const calls = generateCalls(mock);
  expect(calls.map((c) => c.body)).toEqual(bodies.map((body) => ({ license: mock.license, ...body })));
  expect(calls[0]!.body).toMatchObject(TUNING); // numbers stay numbers
  for (const { client, id } of started) {
    const done = await client.settle(id);
    expect(done).toEqual({ task_id: id, status: 'done', video_url: expect.stringMatching(VIDEO_URL) });
    t.note('settled', done.status);
  }
  t.note('generations', generateCalls(mock).length);
});

conformance('refusals: each with its status and code, CORS for allowed origins only, and 0 NavTalk calls', async ({ client, mock, t }) => {
  const expected = [];
  const got = [];
  // A streamed (chunked) oversize body has a case of its own in limits.test.ts: on wrangler dev it breaks the Worker.
  for (const bad of (await badRequests('conf-refuse')).filter((b) => !b.stream)) {
    const origin = bad.origin === undefined ? ORIGIN : bad.origin;
    const method = bad.method ?? 'POST';
    const response = await t.answer(bad.name, await client.send({
      method,
      headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}), ...bad.headers },
      ...(method === 'DELETE' ? {} : { body: bad.raw ?? JSON.stringify(bad.body) }),
    }));
    const acao = bad.code === 'origin_not_allowed' ? null : ORIGIN;
    expected.push({ name: bad.name, status: bad.status, code: bad.code, acao });
    got.push({ name: bad.name, status: response.status, code: (await errorOf(response)).code, acao: response.headers.get('access-control-allow-origin') });
  }
  expect(got).toEqual(expected);
  expect(mock.calls).toEqual([]);
});

conformance('a body signed with the previous secret is accepted (a rotation)', async ({ client, mock, t }) => {
  const state = await stateOf(await t.answer('start', await client.post(await signed(textBody('conf-rotation'), PREVIOUS_SECRET))));
  expect(state.status).toBe('started');
  expect(generateCalls(mock)).toHaveLength(1);
  await client.settle(state.task_id);
});

conformance('CORS preflight: 204 with the exact origin for allowed origins, 403 without CORS for others', async ({ client, mock, t }) => {
  const preflight = (origin: string) => client.send({
    method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });
  const ok = await t.answer('allowed', await preflight(ORIGIN));
  expect(ok.status).toBe(204);
  expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  expect(ok.headers.get('vary')).toBe('Origin');
  expect(ok.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
  const foreign = await t.answer('foreign', await preflight(OTHER_ORIGIN));
  expect(foreign.status).toBe(403);
  expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  expect(mock.calls).toEqual([]);
});

conformance('unknown, forged and malformed task ids, bad wait or status: 404 or 400, 0 NavTalk calls', async ({ client, mock, t }) => {
  for (const id of ['A'.repeat(43), 'nope', '../../etc', '']) {
    const response = await t.answer(`task ${id}`, await client.get({ task_id: id }));
    expect([response.status, (await errorOf(response)).code]).toEqual([404, 'not_found']);
  }
  const noOrigin = await t.answer('no origin', await client.send({ query: `?task_id=${'B'.repeat(43)}` }));
  expect(noOrigin.status).toBe(404);
  for (const query of [{ wait: 'soon' }, { wait: '1', status: 'finished' }] as Record<string, string>[]) {
    const response = await t.answer(JSON.stringify(query), await client.get({ task_id: 'C'.repeat(43), ...query }));
    expect([response.status, (await errorOf(response)).code]).toEqual([400, 'invalid_input']);
  }
  expect(mock.calls).toEqual([]);
});

conformance('a finished script is answered done at once with 0 NavTalk calls, whatever its key order or Unicode form', async ({ client, mock, t }) => {
  const body = { character_name: 'navtalk.Leo', content: 'Caf\u00e9 conformance.', voice: 'echo' };
  const first = await stateOf(await client.post(await signed(body)));
  await client.settle(first.task_id);
  const calls = mock.calls.length;
  const reordered = { voice: 'echo', content: 'Cafe\u0301 conformance.', character_name: 'navtalk.Leo' };
  const cached = await stateOf(await client.post(await signed(reordered)));
  expect(cached).toEqual({ task_id: first.task_id, status: 'done', video_url: expect.stringMatching(VIDEO_URL) });
  t.note('cached', [cached.task_id, cached.status]);
  expect(mock.calls.length).toBe(calls);
});

conformance('50 concurrent identical POSTs: 1 NavTalk generation, one task id for all', async ({ client, mock, t }) => {
  const body = await signed(textBody('conf-coalesce'));
  const answers = await Promise.all(Array.from({ length: 50 }, () => client.post(body)));
  const states = await Promise.all(answers.map(stateOf));
  expect(new Set(states.map((s) => s.task_id)).size).toBe(1);
  t.note('task ids', [...new Set(states.map((s) => s.task_id))]);
  expect(generateCalls(mock)).toHaveLength(1);
  expect((await client.settle(states[0]!.task_id)).status).toBe('done');
  expect(generateCalls(mock)).toHaveLength(1);
});

conformance(`rate limit: the ${RATE_LIMIT + 1}th new video from one address is 429 rate_limited with Retry-After; polls, joins and cache hits are free`, async ({ client, mock, newClient, t }) => {
  const bodies = await Promise.all(methodBodies('conf-rate').slice(0, RATE_LIMIT + 1).map((b) => signed(b)));
  const first = await stateOf(await t.answer('first', await client.post(bodies[0])));
  for (const body of bodies.slice(1, RATE_LIMIT)) await t.answer('next', await client.post(body));
  const limited = await t.answer('limited', await client.post(bodies[RATE_LIMIT]));
  expect([limited.status, (await errorOf(limited)).code]).toEqual([429, 'rate_limited']);
  const retryAfter = Number(limited.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60 / RATE_LIMIT);
  expect(limited.headers.get('access-control-expose-headers')).toBe('Retry-After');
  expect((await stateOf(await client.post(bodies[0]))).task_id).toBe(first.task_id); // in flight: not counted
  await client.settle(first.task_id);
  // Its video_url is NavTalk's or the stored copy's, whichever the copy (beside the answer) has reached on each host.
  const cached = await stateOf(await client.post(bodies[0]));
  t.note('cached', cached.status);
  expect(cached.status).toBe('done');
  expect((await stateOf(await t.answer('another address', await newClient().post(bodies[RATE_LIMIT])))).status).toBe('started');
  expect(generateCalls(mock)).toHaveLength(RATE_LIMIT + 1);
});

conformance('long-poll: a GET with wait returns when the status differs from the one the client saw', async ({ client, mock, t }) => {
  mock.configure({ timing: { processingAfterMs: 300, doneAfterMs: 600 } });
  const started = await stateOf(await client.post(await signed(textBody('conf-long-poll'))));
  const processing = await stateOf(await t.answer('after started', await client.get({ task_id: started.task_id, wait: '10', status: 'started' })));
  expect(processing.status).toBe('processing');
  const done = await stateOf(await client.get({ task_id: started.task_id, wait: '10', status: 'processing' }));
  expect(done.status).toBe('done');
  t.note('then', done.status);
  expect(generateCalls(mock)).toHaveLength(1);
});

conformance('NavTalk /generate 500: 502 upstream_failed; the failure is answered for a minute at no cost; POST ?recheck=1 makes one new generation', async ({ client, mock, t }) => {
  mock.configure({ faults: { generate: { kind: '500', times: 1 } } });
  const body = await signed(textBody('conf-generate-500'));
  const failed = await t.answer('start', await client.post(body));
  expect([failed.status, (await errorOf(failed)).code]).toEqual([502, 'upstream_failed']);
  expect(await stateOf(await t.answer('again', await client.post(body)))).toMatchObject({ status: 'failed', error: { code: 'upstream_failed' } });
  expect(generateCalls(mock)).toHaveLength(1);
  const retried = await stateOf(await t.answer('recheck', await client.post(body, { query: '?recheck=1' })));
  expect(retried.status).toBe('started');
  expect((await client.settle(retried.task_id)).status).toBe('done');
  expect(generateCalls(mock)).toHaveLength(2);
});

conformance('NavTalk /generate 400: 422 upstream_rejected with NavTalk\'s reason (no key, no link), not asked again, recheck or not', async ({ client, mock, t }) => {
  mock.configure({ faults: { generate: { kind: '400', times: 1, message: 'face image\nunreadable for {license}, see https://docs.example/x <b>' } } });
  const body = await signed(textBody('conf-generate-400'));
  for (const query of ['', '', '?recheck=1']) {
    const refused = await t.answer(`POST ${query}`, await client.post(body, { query }));
    expect(refused.status).toBe(422);
    expect(await errorOf(refused)).toEqual({ code: 'upstream_rejected', message: 'NavTalk refused this request: face image unreadable for [redacted], see [link] b.' });
  }
  expect(generateCalls(mock)).toHaveLength(1);
});

conformance('a task NavTalk fails: generation_failed with its reason, answered to new viewers at no cost; Try again from three viewers at once makes exactly one new generation', async ({ client, mock, newClient, t }) => {
  mock.configure({ faults: { outcome: 'failed' } });
  const body = await signed(textBody('conf-outcome-failed'));
  const started = await stateOf(await client.post(body));
  const failed = await client.settle(started.task_id);
  expect(failed).toEqual({ task_id: started.task_id, status: 'failed', error: { code: 'generation_failed', message: `NavTalk could not make this video: ${FAILED_TASK_ERROR}` } });
  t.note('failed', failed);
  const viewers = await Promise.all([1, 2, 3].map(async () => stateOf(await newClient().post(body))));
  expect(viewers).toEqual([failed, failed, failed]);
  expect(generateCalls(mock)).toHaveLength(1);

  mock.configure({ faults: { outcome: undefined } });
  const viewersAgain = [newClient(), newClient(), newClient()];
  const retries = await Promise.all(viewersAgain.map(async (viewer) => stateOf(await viewer.post(body, { query: '?recheck=1' }))));
  expect(retries.map((r) => [r.task_id, r.status])).toEqual(Array(3).fill([started.task_id, 'started']));
  t.note('retries', retries);
  expect((await client.settle(started.task_id)).status).toBe('done');
  expect(generateCalls(mock)).toHaveLength(2);
});

/** The task's stored copy's URL, once the copy (made after `done`) is in. */
async function storedUrl(client: Client, taskId: string): Promise<string> {
  // The copy has no event a client can wait for: look again every 50 ms, for at most 15 s.
  for (let i = 0; i < 300; i++) {
    const state = await stateOf(await client.get({ task_id: taskId }));
    if (state.video_url?.includes('?video=')) return state.video_url;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the video was never stored');
}

conformance('?video= serves a stored result: 200, Range 206, 416, HEAD, ETag and If-None-Match 304, CORS, cached for good', async ({ client, mock, t }) => {
  const started = await stateOf(await client.post(await signed(textBody('conf-stored'))));
  expect((await client.settle(started.task_id)).status).toBe('done');
  const url = await storedUrl(client, started.task_id);
  t.note('stored at', url);
  const query = url.slice(url.indexOf('?'));
  const original = readFileSync(new URL('avatar.mp4', SAMPLES_DIR));
  const bytes = async (response: Response) => Buffer.from(await response.arrayBuffer());

  const whole = await t.answer('GET', await client.send({ query, headers: { origin: ORIGIN } }));
  expect(whole.status).toBe(200);
  expect((await bytes(whole.clone())).equals(original)).toBe(true);
  expect(whole.headers.get('content-type')).toBe('video/mp4');
  expect(whole.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  expect(whole.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  expect(whole.headers.get('accept-ranges')).toBe('bytes');
  const etag = whole.headers.get('etag')!;
  expect(etag).toMatch(/^"[^"]+"$/);

  const part = await t.answer('Range', await client.send({ query, headers: { origin: ORIGIN, range: 'bytes=10-19' } }));
  expect([part.status, part.headers.get('content-range')]).toEqual([206, `bytes 10-19/${original.length}`]);
  expect((await bytes(part.clone())).equals(original.subarray(10, 20))).toBe(true);
  const beyond = await t.answer('Range past the end', await client.send({ query, headers: { range: `bytes=${original.length}-` } }));
  expect(beyond.status).toBe(416);
  const head = await t.answer('HEAD', await client.send({ method: 'HEAD', query, headers: { origin: ORIGIN } }));
  expect([head.status, head.headers.get('content-length')]).toEqual([200, String(original.length)]);
  const unchanged = await t.answer('If-None-Match', await client.send({ query, headers: { origin: ORIGIN, 'if-none-match': etag } }));
  expect(unchanged.status).toBe(304);
  for (const id of ['A'.repeat(43), 'x', '../x']) {
    const missing = await t.answer(`video ${id}`, await client.send({ query: `?video=${encodeURIComponent(id)}`, headers: { origin: ORIGIN } }));
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'No such video.' } });
  }
  expect(generateCalls(mock)).toHaveLength(1);
});
