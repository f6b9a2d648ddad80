import { runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { badRequests, methodBodies, ORIGIN, PREVIOUS_SECRET, requestFor, signed, textBody, TUNING } from '../proxy/cases.js';
import { client, ENDPOINT, errorOf, LICENSE, MOCK_URL, mock, stateOf, useMock } from './helpers.js';

useMock();

describe('forwarding', () => {
  it('forwards each of the 9 methods once, with the license added and exactly the NavTalk fields', async () => {
    const worker = client();
    const bodies = methodBodies('w-nine');
    const ids = [];
    for (const body of bodies) {
      const started = await stateOf(await worker.post(await signed(body)));
      expect(started.status).toBe('started');
      ids.push(started.task_id);
    }
    const calls = await mock.generateCalls();
    expect(calls).toHaveLength(9);
    calls.forEach((call, i) => expect(call.body).toEqual({ license: LICENSE, ...bodies[i] }));
    expect(calls[0]!.body).toMatchObject(TUNING);
    for (const id of ids) expect((await worker.settle(id)).status).toBe('done');
    expect(await mock.generateCalls()).toHaveLength(9);
  });

  it('polls in Durable Object alarms until done, and reports the video URL', async () => {
    const worker = client();
    const started = await stateOf(await worker.post(await signed(textBody('w-done'))));
    const done = await worker.settle(started.task_id);
    expect(done).toEqual({ task_id: started.task_id, status: 'done', video_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/videos\/.+\.mp4$/) });
    const queries = await mock.queryCalls();
    expect(queries.length).toBeGreaterThanOrEqual(2);
    expect(queries.every((q) => q.query.license === LICENSE)).toBe(true);
  });

  it('makes one poll per alarm, and a repeated alarm is harmless', async () => {
    // A long interval keeps the alarm from firing by itself; the test runs it.
    const worker = client({ UPSTREAM_POLL_INTERVAL_MS: '60000' });
    const started = await stateOf(await worker.post(await signed(textBody('w-alarm'))));
    const stub = env.TASKS.get(env.TASKS.idFromName(started.task_id));
    expect(await mock.queryCalls()).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 100)); // the mock's task is done after 90 ms
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await mock.queryCalls()).toHaveLength(1);
    expect((await stateOf(await worker.get(started.task_id))).status).toBe('done');
    // The done task's next alarm is its expiry (an hour away); running it early changes nothing.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await mock.queryCalls()).toHaveLength(1);
    expect((await stateOf(await worker.get(started.task_id))).status).toBe('done');
  });
});

describe('refusals cost nothing', () => {
  it('answers every invalid, foreign, unsigned, oversize or unsafe request with the right 4xx and 0 upstream calls', async () => {
    const worker = client();
    for (const bad of await badRequests('w-refuse')) {
      const response = await worker.call(requestFor(ENDPOINT, bad));
      expect(response.status, bad.name).toBe(bad.status);
      const error = await errorOf(response);
      expect(error.code, bad.name).toBe(bad.code);
      expect(error.message.length, bad.name).toBeGreaterThan(10);
      expect(response.headers.get('access-control-allow-origin'), bad.name).toBe(bad.code === 'origin_not_allowed' ? null : ORIGIN);
    }
    expect(await mock.calls()).toEqual([]);
  });

  it('accepts the previous signing secret during a rotation', async () => {
    const started = await stateOf(await client().post(await signed(textBody('w-rotation'), PREVIOUS_SECRET)));
    expect(await mock.generateCalls()).toHaveLength(1);
    await client().settle(started.task_id);
  });

  it('answers 500 misconfigured without calling NavTalk when the key or the signing secret is missing', async () => {
    for (const overrides of [{ NAVTALK_API_KEY: '' }, { SIGNING_SECRET: '' }, { ALLOWED_ORIGINS: '' }] as Record<string, string>[]) {
      const response = await client(overrides).post(await signed(textBody('w-misconfigured')));
      expect(response.status).toBe(500);
      expect((await errorOf(response)).code).toBe('misconfigured');
    }
    expect(await mock.calls()).toEqual([]);
  });

  it('404s unknown, forged and malformed task ids, and other paths', async () => {
    const worker = client();
    for (const id of ['A'.repeat(43), 'forged', '']) {
      const response = await worker.get(id);
      expect(response.status).toBe(404);
      expect((await errorOf(response)).code).toBe('not_found');
    }
    expect((await worker.call(new Request('https://proxy.example/admin', { headers: { origin: ORIGIN } }))).status).toBe(404);
    expect(await mock.calls()).toEqual([]);
  });

  it('serves /health with the configuration state, naming no secret', async () => {
    const ok = await client().call(new Request('https://proxy.example/health'));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, auth_mode: 'signed', problems: [] });
    const broken = await client({ NAVTALK_API_KEY: '' }).call(new Request('https://proxy.example/health'));
    expect(broken.status).toBe(503);
    expect(await broken.json()).toMatchObject({ ok: false, problems: ['NAVTALK_API_KEY is not set'] });
  });
});

describe('CORS', () => {
  it('answers preflight for allowed origins with the exact origin and Vary, and refuses others without ACAO', async () => {
    const preflight = (origin: string) => client().call(new Request(ENDPOINT, {
      method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    }));
    const ok = await preflight(ORIGIN);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(ok.headers.get('vary')).toBe('Origin');
    expect(ok.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
    const foreign = await preflight('https://evil.example');
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(await mock.calls()).toEqual([]);
  });
});

describe('coalescing and cache', () => {
  it('turns 200 concurrent identical POSTs into 1 upstream generation, all with the same task id', async () => {
    const body = await signed(textBody('w-coalesce'));
    // Even with a tight per-IP limit: only the request that really starts work takes a token.
    const worker = client({ RATE_LIMIT_PER_MINUTE: '3' });
    const answers = await Promise.all(Array.from({ length: 200 }, () => worker.post(body)));
    const states = await Promise.all(answers.map(stateOf));
    expect(new Set(states.map((s) => s.task_id)).size).toBe(1);
    expect(await mock.generateCalls()).toHaveLength(1);
    await worker.settle(states[0]!.task_id);
  });

  it('answers a finished request again at once with 0 upstream calls', async () => {
    const worker = client();
    const body = await signed(methodBodies('w-cache')[4]!);
    const first = await stateOf(await worker.post(body));
    await worker.settle(first.task_id);
    const before = (await mock.calls()).length;
    const again = await stateOf(await worker.post(body));
    expect(again).toMatchObject({ task_id: first.task_id, status: 'done', video_url: expect.any(String) });
    expect((await mock.calls()).length).toBe(before);
  });

  it('long-polls: a GET with wait returns when the status changes', async () => {
    await mock.configure({ timing: { processingAfterMs: 300, doneAfterMs: 600 } });
    const worker = client();
    const started = await stateOf(await worker.post(await signed(textBody('w-long-poll'))));
    expect((await stateOf(await worker.get(started.task_id, { wait: '10', status: 'started' }))).status).toBe('processing');
    expect((await stateOf(await worker.get(started.task_id, { wait: '10', status: 'processing' }))).status).toBe('done');
    expect(await mock.generateCalls()).toHaveLength(1);
  });

  it('lets a demo use the mock samples as media when their origin is trusted', async () => {
    const body = await signed({ image_url: `${MOCK_URL}/samples/face.png`, audio_url: `${MOCK_URL}/samples/voice.mp3` });
    expect((await errorOf(await client().post(body))).code).toBe('unsafe_url');
    const demo = client({ TRUSTED_MEDIA_ORIGINS: MOCK_URL });
    const started = await stateOf(await demo.post(body));
    expect((await demo.settle(started.task_id)).status).toBe('done');
    expect(await mock.generateCalls()).toHaveLength(1);
  });
});
