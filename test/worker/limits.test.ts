import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { utcDay } from '../../src/proxy/index.js';
import { methodBodies, signed } from '../proxy/cases.js';
import { client, errorOf, mock, stateOf, useMock } from './helpers.js';

// Its own file: each file gets fresh Durable Object storage, so today's budget starts at 0 here.
useMock();

const secondsToUtcMidnight = () => {
  const midnight = new Date();
  midnight.setUTCHours(24, 0, 0, 0);
  return (midnight.getTime() - Date.now()) / 1000;
};

describe('daily budget', () => {
  it('counts concurrent new generations exactly; past DAILY_GENERATION_LIMIT: 429 budget_exhausted until UTC midnight, 0 upstream calls; cache hits still served', async () => {
    const bodies = await Promise.all(methodBodies('w-budget').map((b) => signed(b)));
    const worker = client({ DAILY_GENERATION_LIMIT: '4' });
    const answers = await Promise.all(bodies.map((b) => worker.post(b)));
    const admitted = answers.filter((r) => r.status === 200);
    const refused = answers.filter((r) => r.status === 429);
    expect(admitted).toHaveLength(4);
    expect(refused).toHaveLength(5);
    for (const response of refused) {
      expect((await errorOf(response)).code).toBe('budget_exhausted');
      expect(Math.abs(Number(response.headers.get('retry-after')) - secondsToUtcMidnight())).toBeLessThan(5);
      expect(response.headers.get('access-control-expose-headers')).toBe('Retry-After');
    }
    expect(await mock.generateCalls()).toHaveLength(4);

    const budget = env.BUDGET.get(env.BUDGET.idFromName(utcDay(Date.now())));
    expect(await budget.reserve(4, Date.now())).toMatchObject({ ok: false });

    // An admitted request is cached once done, and still answered: no budget, no upstream call.
    const finished = await Promise.all(admitted.map(async (r) => worker.settle((await stateOf(r)).task_id)));
    const index = answers.indexOf(admitted[0]!);
    const before = (await mock.calls()).length;
    // (Its video_url may by now be the copy in R2 rather than NavTalk's.)
    expect(await stateOf(await worker.post(bodies[index]))).toMatchObject({ task_id: finished[0]!.task_id, status: 'done' });
    expect((await mock.calls()).length).toBe(before);
  });

  it('answers 503 unavailable (and calls nobody) when the budget object cannot be reached', async () => {
    const broken = { ...env, BUDGET: { idFromName: () => { throw new Error('no budget'); } } } as unknown as Env;
    const { default: worker } = await import('../../src/worker/index.js');
    const request = new Request('https://proxy.example/', {
      method: 'POST', headers: { origin: 'https://site.example', 'content-type': 'application/json' },
      body: JSON.stringify(await signed(methodBodies('w-budget-down')[0]!)),
    });
    const response = await worker.fetch(request, broken);
    expect(response.status).toBe(503);
    expect((await errorOf(response)).code).toBe('unavailable');
    expect(await mock.calls()).toEqual([]);
  });
});

describe('per-client rate limit', () => {
  it('limits new work per address with 429 rate_limited and Retry-After; polls and cache hits are free; other addresses unaffected', async () => {
    const bodies = await Promise.all(methodBodies('w-rate').map((b) => signed(b)));
    const limits = { RATE_LIMIT_PER_MINUTE: '2', DAILY_GENERATION_LIMIT: '100' };
    const alice = client(limits);
    const first = await stateOf(await alice.post(bodies[0]));
    await stateOf(await alice.post(bodies[1]));
    const limited = await alice.post(bodies[2]);
    expect(limited.status).toBe(429);
    expect((await errorOf(limited)).code).toBe('rate_limited');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);
    await alice.settle(first.task_id); // polls do not count
    expect((await stateOf(await alice.post(bodies[0]))).status).toBe('done'); // a cache hit does not count
    expect((await stateOf(await client(limits).post(bodies[2]))).status).toBe('started'); // another address
    expect(await mock.generateCalls()).toHaveLength(3);
    for (const b of bodies.slice(1, 3)) await alice.settle((await stateOf(await alice.post(b))).task_id);
  });
});
