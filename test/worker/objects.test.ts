import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { BudgetObject, LimiterObject, TimingsObject } from '../../src/worker/objects.js';

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
  it('LimiterObject: takes tokens without ctx.storage.kv, and reads a bucket the synchronous API wrote', async () => {
    const now = Date.now();
    const stub = env.LIMITER.get(env.LIMITER.idFromName('objects-test-limiter'));
    await runInDurableObject(stub, async (instance: LimiterObject, state) => {
      // A bucket as the earlier version stored it, through the synchronous API: one token left.
      state.storage.kv.put('bucket', { tokens: 1, at: now });
      forbidSyncKv(state);
      // The guard is in place where the object looks.
      expect(() => (instance as unknown as { ctx: DurableObjectState }).ctx.storage.kv).toThrow('ctx.storage.kv was read');
      expect(await instance.take(2, now)).toEqual({ ok: true });
      expect(await instance.take(2, now)).toMatchObject({ ok: false });
      expect(await state.storage.get('bucket')).toEqual({ tokens: 0, at: now });
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

  it('TimingsObject: records concurrent durations and estimates without ctx.storage.kv', async () => {
    const stub = env.TIMINGS.get(env.TIMINGS.idFromName('objects-test-timings'));
    await runInDurableObject(stub, (_instance: TimingsObject, state) => forbidSyncKv(state));
    await Promise.all([4000, 5000, 6000].map((ms) => stub.record(ms)));
    await stub.estimate();
    expect(await runInDurableObject(stub, (_instance: TimingsObject, state) => state.storage.get<number[]>('durations'))).toHaveLength(3);
  });
});
