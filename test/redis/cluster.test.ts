// Four processes of examples/node-server on one real redis-server, in front of the NavTalk mock: they must behave
// as one proxy (one generation per script, one exact daily budget, tasks that finish without the process that
// started them) and fail closed and fast when Redis is gone.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeProxy, startRedis, type NodeProxy, type RedisServer } from '../../scripts/lib/node-proxy.js';
import { startMockNavTalk, type MockNavTalk } from '../../src/mock/server.js';
import type { TaskState } from '../../src/protocol/index.js';
import { followTask, viewerIp } from '../e2e/faults-clients.js';

const ORIGIN = 'https://site.example';
const PROCESSES = 4;

interface Cluster { redis: RedisServer; proxies: NodeProxy[]; stop(): Promise<void> }

async function cluster(mock: MockNavTalk, vars: Record<string, string> = {}): Promise<Cluster> {
  const redis = await startRedis();
  const env = {
    REDIS_URL: redis.url, NAVTALK_API_KEY: mock.license, NAVTALK_BASE_URL: mock.url, ALLOWED_ORIGINS: ORIGIN, AUTH_MODE: 'open',
    TRUSTED_MEDIA_ORIGINS: mock.url, CLIENT_IP_HEADER: 'cf-connecting-ip', UPSTREAM_POLL_INTERVAL_MS: '100',
    DAILY_GENERATION_LIMIT: '100000', RATE_LIMIT_PER_MINUTE: '1000', ...vars,
  };
  const proxies = await Promise.all(Array.from({ length: PROCESSES }, () => startNodeProxy(env)));
  return { redis, proxies, stop: async () => { await Promise.all(proxies.map((p) => p.stop())); await redis.stop(); } };
}

const post = (proxy: NodeProxy, body: unknown, ip = viewerIp(1)) => fetch(`${proxy.url}/`, {
  method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json', 'cf-connecting-ip': ip }, body: JSON.stringify(body),
});
const script = (content: string) => ({ character_name: 'navtalk.Leo', content, voice: 'echo' });
const generations = (mock: MockNavTalk, match: (content: string) => boolean) =>
  mock.calls.filter((c) => c.path === '/generate' && match(String((c.body as { content?: string }).content))).length;

/** Every key and value in a Redis, as text. */
async function everything(url: string): Promise<string> {
  const client = new Redis(url);
  try {
    const parts: string[] = [];
    for (const key of await client.keys('*')) {
      const type = await client.type(key);
      const value = type === 'string' ? await client.get(key) : type === 'hash' ? JSON.stringify(await client.hgetall(key)) : JSON.stringify(await client.lrange(key, 0, -1));
      parts.push(`${key}=${value}`);
    }
    return parts.join('\n');
  } finally {
    client.disconnect();
  }
}

let mock: MockNavTalk;
let main: Cluster;
beforeAll(async () => {
  mock = await startMockNavTalk({ timing: { processingAfterMs: 100, doneAfterMs: 600 } });
  main = await cluster(mock);
}, 60_000);
afterAll(async () => {
  await main?.stop();
  await mock?.close();
});

describe('four Node processes on one Redis', () => {
  it('200 concurrent identical POSTs spread over the four: 1 NavTalk generation, one task for all', async () => {
    const content = `Two hundred at once ${Date.now()}.`;
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => post(main.proxies[i % PROCESSES]!, script(content), viewerIp(i + 1))));
    expect(answers.map((a) => a.status)).toEqual(Array(200).fill(200));
    const states = (await Promise.all(answers.map((a) => a.json()))) as TaskState[];
    expect(new Set(states.map((s) => s.task_id)).size).toBe(1);
    expect(generations(mock, (c) => c === content)).toBe(1);
    const done = await followTask(`${main.proxies[3]!.url}/`, script(content), { origin: ORIGIN, ip: viewerIp(999) }, 20_000);
    expect(done.status).toBe('done');
    expect(generations(mock, (c) => c === content)).toBe(1);
  }, 60_000);

  it('a process killed mid-task: the task still reaches done through another', async () => {
    const content = `Orphaned task ${Date.now()}.`;
    mock.configure({ timing: { processingAfterMs: 200, doneAfterMs: 2500 } });
    try {
      const doomed = await startNodeProxy(envOf(main));
      const started = (await (await post(doomed, script(content))).json()) as TaskState;
      expect(started.status).toBe('started');
      await doomed.kill();
      const pollsBefore = mock.calls.filter((c) => c.path === '/query_status').length;
      let state = started;
      while (state.status !== 'done' && state.status !== 'failed') {
        const url = `${main.proxies[1]!.url}/?task_id=${state.task_id}&wait=10&status=${state.status}`;
        state = (await (await fetch(url, { headers: { origin: ORIGIN } })).json()) as TaskState;
      }
      expect(state.status).toBe('done');
      expect(mock.calls.filter((c) => c.path === '/query_status').length).toBeGreaterThan(pollsBefore);
      expect(generations(mock, (c) => c === content)).toBe(1);
    } finally {
      mock.configure({ timing: { processingAfterMs: 100, doneAfterMs: 600 } });
    }
  }, 60_000);

  it('a task NavTalk fails: every process answers the failure, with NavTalk\'s reason, to new viewers for free; Try again on any of them makes one generation', async () => {
    const content = `Failed once ${Date.now()}.`;
    mock.configure({ faults: { outcome: 'failed' } });
    try {
      const failed = await followTask(`${main.proxies[0]!.url}/`, script(content), { origin: ORIGIN, ip: viewerIp(1) }, 20_000);
      expect(failed).toMatchObject({ status: 'failed', code: 'generation_failed', message: expect.stringContaining('no face') });
      const viewers = (await Promise.all(main.proxies.map(async (p) => (await post(p, script(content))).json()))) as TaskState[];
      expect(viewers.map((v) => v.status)).toEqual(Array(PROCESSES).fill('failed'));
      expect(viewers.every((v) => v.error?.code === 'generation_failed')).toBe(true);
      expect(generations(mock, (c) => c === content)).toBe(1);
    } finally {
      mock.configure({ faults: { outcome: undefined } });
    }
    const retries = await Promise.all(main.proxies.map((p, i) => fetch(`${p.url}/?recheck=1`, {
      method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json', 'cf-connecting-ip': viewerIp(i + 1) }, body: JSON.stringify(script(content)),
    })));
    expect(retries.map((r) => r.status)).toEqual(Array(PROCESSES).fill(200));
    const done = await followTask(`${main.proxies[2]!.url}/`, script(content), { origin: ORIGIN, ip: viewerIp(7) }, 20_000);
    expect(done.status).toBe('done');
    expect(generations(mock, (c) => c === content)).toBe(2);
  }, 60_000);

  it('the key never appears in Redis (keys or values) or in any process\'s log', async () => {
    const stored = await everything(main.redis.url);
    expect(stored).toMatch(/navtalk:task:/);
    expect(stored).not.toContain(mock.license);
    for (const proxy of main.proxies) expect(proxy.output()).not.toContain(mock.license);
  });
});

/** The variables the main cluster's processes run with, for one more of them. */
function envOf(c: Cluster): Record<string, string> {
  return {
    REDIS_URL: c.redis.url, NAVTALK_API_KEY: mock.license, NAVTALK_BASE_URL: mock.url, ALLOWED_ORIGINS: ORIGIN, AUTH_MODE: 'open',
    TRUSTED_MEDIA_ORIGINS: mock.url, CLIENT_IP_HEADER: 'cf-connecting-ip', UPSTREAM_POLL_INTERVAL_MS: '100',
    DAILY_GENERATION_LIMIT: '100000', RATE_LIMIT_PER_MINUTE: '1000',
  };
}

describe('one exact daily budget across processes', () => {
  it('DAILY_GENERATION_LIMIT=5, 50 concurrent distinct POSTs over four processes: exactly 5 generations, 45 budget_exhausted', async () => {
    const capped = await cluster(mock, { DAILY_GENERATION_LIMIT: '5' });
    try {
      const stamp = Date.now();
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => post(capped.proxies[i % PROCESSES]!, script(`Budget ${stamp} #${i}.`), viewerIp(i + 1))));
      const bodies = (await Promise.all(answers.map((a) => a.json()))) as Array<TaskState | { error: { code: string } }>;
      expect(answers.filter((a) => a.status === 200)).toHaveLength(5);
      expect(bodies.filter((b) => 'error' in b && b.error?.code === 'budget_exhausted')).toHaveLength(45);
      expect(answers.filter((a) => a.status === 429).every((a) => Number(a.headers.get('retry-after')) > 0)).toBe(true);
      expect(generations(mock, (c) => c.startsWith(`Budget ${stamp}`))).toBe(5);
    } finally {
      await capped.stop();
    }
  }, 60_000);
});

describe('Redis down', () => {
  it('503 unavailable with the error body, within a bounded time, and 0 upstream calls', async () => {
    const doomed = await cluster(mock);
    try {
      await doomed.redis.stop();
      const before = mock.calls.length;
      const startedAt = Date.now();
      const refused = await post(doomed.proxies[0]!, script(`No Redis ${Date.now()}.`));
      expect(refused.status).toBe(503);
      expect(await refused.json()).toEqual({ error: { code: 'unavailable', message: expect.stringMatching(/try again shortly/) } });
      expect(refused.headers.get('retry-after')).toBe('5');
      const status = await fetch(`${doomed.proxies[1]!.url}/?task_id=${'A'.repeat(43)}&wait=5`, { headers: { origin: ORIGIN } });
      expect(status.status).toBe(503);
      expect(Date.now() - startedAt).toBeLessThan(5000);
      expect(mock.calls.length).toBe(before);
    } finally {
      await doomed.stop();
    }
  }, 60_000);
});
