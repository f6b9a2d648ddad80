import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { limiterShard, type BudgetObject, type LimiterObject, type TimingsObject } from '../../src/worker/objects.js';

/**
 * On workerd 1.20260426 a Durable Object that has read `ctx.storage.kv` is never garbage collected after it is
 * evicted (its DurableObjectStorage stays a GC root): with one LimiterObject per client address, the Worker's
 * memory grew with every new address (the soak in BENCHMARKS.md; docs/benchmarks.md). The objects use the
 * asynchronous storage API instead, which reads and writes the same key-value table.
 */
function forbidSyncKv(state: DurableObjectState): void {
  Object.defineProperty(state.storage, 'kv', {
    configurable: true,
    get() {
      throw new Error('ctx.storage.kv was read');
    },
  });
}

describe('Durable Objects keep to the asynchronous storage API (ctx.storage.kv leaks them on workerd)', () => {
  it('LimiterObject: takes tokens without ctx.storage.kv', async () => {
    const now = Date.now();
    const stub = env.LIMITER.get(env.LIMITER.idFromName('objects-test-limiter'));
    await runInDurableObject(stub, async (instance: LimiterObject, state) => {
      forbidSyncKv(state);
      // The guard is in place where the object looks.
      expect(() => (instance as unknown as { ctx: DurableObjectState }).ctx.storage.kv).toThrow('ctx.storage.kv was read');
      expect(await instance.take('192.0.2.1', 2, now)).toEqual({ ok: true });
      expect(await instance.take('192.0.2.1', 2, now)).toEqual({ ok: true });
      expect(await instance.take('192.0.2.1', 2, now)).toMatchObject({ ok: false });
      expect(await state.storage.get('bucket:192.0.2.1')).toEqual({ tokens: 0, at: now });
    });
  });
  it('BudgetObject: counts concurrent reservations exactly without ctx.storage.kv, from a count the synchronous API wrote', async () => {
    const now = Date.now();
    const stub = env.BUDGET.get(env.BUDGET.idFromName('objects-test-budget'));
    await runInDurableObject(stub, (_instance: BudgetObject, state) => {
      state.storage.kv.put('used', 3);
      forbidSyncKv(state);
    });
    // Separate calls, as the Worker makes them: the object's input gate keeps each read-and-write whole.
    const answers = await Promise.all(Array.from({ length: 10 }, () => stub.reserve(8, now)));
    expect(answers.filter((a) => a.ok)).toHaveLength(5);
    expect(await runInDurableObject(stub, (_instance: BudgetObject, state) => state.storage.get('used'))).toBe(8);
  });

  it('TimingsObject: records concurrent finished tasks (script features and duration) and reads them back without ctx.storage.kv', async () => {
    const stub = env.TIMINGS.get(env.TIMINGS.idFromName('objects-test-timings'));
    await runInDurableObject(stub, (_instance: TimingsObject, state) => forbidSyncKv(state));
    const samples = [4000, 5000, 6000].map((durationMs, i) => ({ speechSeconds: i ? i * 2 : null, face: 'image' as const, durationMs }));
    await Promise.all(samples.map((sample) => stub.record(sample)));
    expect(new Set(await stub.recent())).toEqual(new Set(samples));
  });
});

/** Client keys that share a shard with `first`. */
function shardMates(first: string, count: number): string[] {
  const mates: string[] = [];
  for (let i = 0; mates.length < count; i++) {
    const key = `2001:db8:${i.toString(16)}::/64`;
    if (key !== first && limiterShard(key) === limiterShard(first)) mates.push(key);
  }
  return mates;
}

describe('rate-limit buckets in a fixed set of LimiterObjects', () => {
  it('spreads client keys over all the shards, the same key always to the same one', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `198.51.${i >> 8}.${i & 255}`);
    expect(new Set(keys.map(limiterShard)).size).toBe(32);
    expect(keys.map(limiterShard)).toEqual(keys.map(limiterShard));
  });

  it('keeps each client of a shard its own exact bucket, under concurrent takes', async () => {
    const alice = '192.0.2.10';
    const [bob, carol] = shardMates(alice, 2);
    const stub = env.LIMITER.get(env.LIMITER.idFromName(limiterShard(alice)));
    const now = Date.now();
    const takes = (client: string, n: number) => Promise.all(Array.from({ length: n }, () => stub.take(client, 3, now)));
    const [a, b] = await Promise.all([takes(alice, 8), takes(bob!, 2)]);
    expect(a.filter((t) => t.ok)).toHaveLength(3);
    expect(b.filter((t) => t.ok)).toHaveLength(2);
    // Alice's empty bucket is not Bob's or Carol's, and a refused take answers when her next token comes.
    expect(await stub.take(alice, 3, now)).toEqual({ ok: false, retryAfterSeconds: 20 });
    expect(await stub.take(bob!, 3, now)).toEqual({ ok: true });
    expect(await stub.take(bob!, 3, now)).toMatchObject({ ok: false });
    expect(await stub.take(carol!, 3, now)).toEqual({ ok: true });
    expect(await stub.take(alice, 3, now + 20_000)).toEqual({ ok: true });
  });

  it('forgets the buckets untouched for a minute (full again) and keeps the others until theirs is up', async () => {
    const stale = '192.0.2.20';
    const [recent] = shardMates(stale, 1);
    const stub = env.LIMITER.get(env.LIMITER.idFromName(limiterShard(stale)));
    const now = Date.now();
    await stub.take(stale, 2, now - 61_000);
    await stub.take(recent!, 2, now - 1_000);
    await stub.take(recent!, 2, now - 1_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await runInDurableObject(stub, async (_instance: LimiterObject, state) => {
      expect(await state.storage.get(`bucket:${stale}`)).toBeUndefined();
      expect(await state.storage.get(`bucket:${recent}`)).toEqual({ tokens: 0, at: now - 1_000 });
      expect(await state.storage.getAlarm()).toBe(now - 1_000 + 60_000);
    });
    // The kept bucket still counts: no token for `recent` yet.
    expect(await stub.take(recent!, 2, now)).toMatchObject({ ok: false });
  });
});
