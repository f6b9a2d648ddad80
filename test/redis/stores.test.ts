// The Redis stores' atomic steps against a real redis-server: the Lua token bucket is limits.ts's takeToken, the
// budget is exact under concurrency, and the Upstash adapter speaks the same commands.
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../../scripts/lib/node-proxy.js';
import { configFromEnv, RECENT_TASKS, takeToken, type Bucket } from '../../src/proxy/index.js';
import { ioredisCommands, redisStores, upstashCommands } from '../../src/proxy/redis.js';

let server: RedisServer;
let client: Redis;
beforeAll(async () => {
  server = await startRedis();
  client = new Redis(server.url);
});
afterAll(async () => {
  client?.disconnect();
  await server?.stop();
});

const config = configFromEnv({ NAVTALK_API_KEY: 'sk-test', ALLOWED_ORIGINS: 'https://site.example', AUTH_MODE: 'open' });
let prefixes = 0;
const stores = () => redisStores({ redis: ioredisCommands(client), config, prefix: `t${++prefixes}:` });

describe('Redis stores', () => {
  it('the token bucket in Lua answers as takeToken does, request by request', async () => {
    // The example was found by this property: 19 s of refill exactly, which Lua's 14-digit tostring made 20.
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 30 }),
      fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 40 }),
      async (perMinute, gaps) => {
        const { limiter } = stores();
        let bucket: Bucket | undefined;
        let now = 1_700_000_000_000;
        for (const gap of gaps) {
          now += gap;
          const expected = takeToken(bucket, perMinute, now);
          bucket = expected.bucket;
          expect(await limiter.take('client', perMinute, now)).toEqual(expected.admission);
        }
      },
    ), { numRuns: 40, examples: [[1, [0, 10_614, 17_924, 12_462, 0]]] });
  });

  it('the daily budget is exact under 200 concurrent reservations, and per UTC day', async () => {
    const { budget } = stores();
    const now = Date.UTC(2026, 11, 2, 12);
    const answers = await Promise.all(Array.from({ length: 200 }, () => budget.reserve(17, now)));
    expect(answers.filter((a) => a.ok)).toHaveLength(17);
    expect(answers.find((a) => !a.ok)).toEqual({ ok: false, retryAfterSeconds: 12 * 3600 });
    expect((await budget.reserve(17, now + 86_400_000)).ok).toBe(true);
  });

  it('timings keep the newest RECENT_TASKS finished tasks, oldest first, as they were recorded', async () => {
    const { timings } = stores();
    expect(await timings.recent()).toEqual([]);
    const sample = (i: number) => ({ speechSeconds: i % 3 ? i / 2 : null, face: (['character', 'image', 'video'] as const)[i % 3]!, durationMs: 5000 + i });
    for (let i = 0; i < RECENT_TASKS + 10; i++) await timings.record(sample(i));
    expect(await timings.recent()).toEqual(Array.from({ length: RECENT_TASKS }, (_, i) => sample(i + 10)));
  });

  it('the Upstash adapter issues the same commands (set with px/nx, eval with keys and args)', async () => {
    // Upstash's REST client, played by ioredis with Upstash's method signatures.
    const upstashLike = {
      get: (key: string) => client.get(key),
      set: (key: string, value: string, options: { px?: number; nx?: boolean } = {}) =>
        (client.set as (...a: unknown[]) => Promise<unknown>)(key, value, ...(options.px ? ['PX', options.px] : []), ...(options.nx ? ['NX'] : [])),
      del: (...keys: string[]) => client.del(...keys),
      eval: (script: string, keys: string[], args: (string | number)[]) => client.eval(script, keys.length, ...keys, ...args),
    };
    const redis = upstashCommands(upstashLike);
    expect(await redis.set('u:lock', 'a', { pxMs: 1000, onlyIfAbsent: true })).toBe(true);
    expect(await redis.set('u:lock', 'b', { pxMs: 1000, onlyIfAbsent: true })).toBe(false);
    expect(await redis.get('u:lock')).toBe('a');
    expect(await client.pttl('u:lock')).toBeGreaterThan(0);
    const { budget } = redisStores({ redis, config, prefix: 'upstash:' });
    expect((await budget.reserve(1, Date.now())).ok).toBe(true);
    expect((await budget.reserve(1, Date.now())).ok).toBe(false);
  });
});
