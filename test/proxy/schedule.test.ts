import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MIN_POLL_MS, MemoryTaskTimings, PRIOR, RECENT_TASKS, SPARSE_POLL_MS, forecast, pollDelay, textSeconds, withSample,
  type Forecast, type TimingSample,
} from '../../src/proxy/index.js';
import { signed, textBody } from './cases.js';
import { makeProxy, queryCalls, useMock } from './harness.js';

/** The instants (ms after the start) at which a task is polled until one is at or past `doneAt`. */
function polls(expected: Forecast | undefined, doneAt: number): number[] {
  const at: number[] = [];
  let t = 0;
  while (t < doneAt) at.push((t += pollDelay(t, at.length, expected, null)));
  return at;
}
/** NavTalk's advised rate plus two: the most polls a task of `ms` may cost. */
const allowance = (ms: number) => ms / SPARSE_POLL_MS + 2;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Tasks of a deployment where generation takes 4 s + 0.5 s per second of speech, within a few %. */
const sampleOf = (speechSeconds: number, factor = 1): TimingSample =>
  ({ speechSeconds, face: 'character', durationMs: factor * (4000 + 500 * speechSeconds) * (1 + 0.04 * Math.sin(speechSeconds * 7)) });
const RECENT = Array.from({ length: 60 }, (_, i) => sampleOf(1 + ((i * 37) % 48)));

describe('forecasting a task from its script', () => {
  it('learns the deployment\'s overhead and time per second of speech, and predicts each script by its length', () => {
    for (const speech of [2, 10, 30, 45]) {
      const expected = forecast(RECENT, { face: 'character', speechSeconds: speech });
      expect(expected.durationMs / (4000 + 500 * speech)).toBeCloseTo(1, 1);
      expect(expected.spreadMs / expected.durationMs).toBeLessThan(0.1);
    }
  });

  it('a new deployment starts from the prior, wide, and narrows as its own tasks finish', () => {
    const cold = forecast([], { face: 'character', speechSeconds: 10 });
    expect(cold.durationMs).toBe(PRIOR.overheadMs + PRIOR.msPerSpeechSecond * 10);
    expect(cold.spreadMs / cold.durationMs).toBeCloseTo(PRIOR.relativeSpread);
    const spreads = [3, 10, 30].map((n) => forecast(RECENT.slice(0, n), { face: 'character', speechSeconds: 10 }).spreadMs);
    expect(spreads[0]).toBeGreaterThan(spreads[1]!);
    expect(spreads[1]).toBeGreaterThan(spreads[2]!);
    // After three tasks the forecast already has the deployment's speed, not the prior's (within 10 %).
    expect(forecast(RECENT.slice(0, 3), { face: 'character', speechSeconds: 10 }).durationMs / (4000 + 500 * 10)).toBeCloseTo(1, 1);
  });

  it('stragglers (3x slower than their script) barely move the next forecasts', () => {
    const clean = forecast(RECENT, { face: 'character', speechSeconds: 20 });
    const withStragglers = RECENT.map((s, i) => (i % 20 === 0 ? { ...s, durationMs: s.durationMs * 3 } : s));
    const after = forecast(withStragglers, { face: 'character', speechSeconds: 20 });
    expect(Math.abs(after.durationMs / clean.durationMs - 1)).toBeLessThan(0.03);
    expect(after.spreadMs / clean.spreadMs).toBeLessThan(1.5);
  });

  it('keeps an overhead per kind of face, and without a speech length goes by recent durations', () => {
    const videos = Array.from({ length: 20 }, (_, i) => ({ ...sampleOf(1 + i * 2), face: 'video' as const, durationMs: sampleOf(1 + i * 2).durationMs + 6000 }));
    const mixed = [...RECENT, ...videos];
    const character = forecast(mixed, { face: 'character', speechSeconds: 10 }).durationMs;
    const video = forecast(mixed, { face: 'video', speechSeconds: 10 }).durationMs;
    expect(video - character).toBeGreaterThan(5000);
    expect(video - character).toBeLessThan(7000);
    const unknown = forecast(RECENT, { face: 'character', speechSeconds: null });
    expect(unknown.durationMs / median(RECENT.map((s) => s.durationMs))).toBeCloseTo(1, 1);
    expect(unknown.spreadMs / unknown.durationMs).toBeGreaterThan(0.2); // recent durations vary with their scripts
  });

  it('keeps the newest RECENT_TASKS samples', () => {
    let samples: TimingSample[] = [];
    for (let i = 0; i < RECENT_TASKS + 20; i++) samples = withSample(samples, sampleOf(i));
    expect(samples).toHaveLength(RECENT_TASKS);
    expect(samples[0]!.speechSeconds).toBe(20);
  });
});

describe('the adaptive upstream poll schedule', () => {
  it('a fixed interval is kept as is; with no forecast, NavTalk\'s advised 2 s', () => {
    expect([pollDelay(0, 0, { durationMs: 25_000, spreadMs: 750 }, 250), pollDelay(24_000, 9, undefined, 250)]).toEqual([250, 250]);
    expect(polls(undefined, 25_000)).toEqual(Array.from({ length: 13 }, (_, i) => (i + 1) * SPARSE_POLL_MS));
  });

  it('whatever the forecast and whenever NavTalk finishes: at most its seconds / 2 + 2 polls', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1000, max: 120_000 }), fc.double({ min: 0.01, max: 1, noNaN: true }), fc.integer({ min: 1, max: 300_000 }),
      (durationMs, relative, doneAt) => polls({ durationMs, spreadMs: Math.max(150, relative * durationMs) }, doneAt).length <= allowance(doneAt),
    ), { numRuns: 3000 });
  });

  it('a task that finishes near its forecast is seen within a few hundred ms', () => {
    for (const [durationMs, spreadMs] of [[25_000, 750], [12_000, 600], [40_000, 2000]] as const) {
      const expected = { durationMs, spreadMs };
      const waits: number[] = [];
      for (let doneAt = durationMs - spreadMs; doneAt <= durationMs + spreadMs; doneAt += spreadMs / 10) {
        const at = polls(expected, doneAt);
        waits.push(at.at(-1)! - doneAt);
        expect(at.length, `done at ${doneAt}`).toBeLessThanOrEqual(allowance(doneAt));
      }
      expect(median(waits), `${durationMs} +- ${spreadMs}`).toBeLessThanOrEqual(300);
      expect(Math.max(...waits)).toBeLessThan(1000);
    }
    // 24-26 s tasks (the uniform benchmark): at most 13 polls.
    for (let doneAt = 24_000; doneAt <= 26_000; doneAt += 100) expect(polls({ durationMs: 25_000, spreadMs: 750 }, doneAt).length).toBeLessThanOrEqual(13);
  });

  it('polls rarely while the task is young (a failure or an early finish is still seen), never faster than MIN_POLL_MS', () => {
    const at = polls({ durationMs: 30_000, spreadMs: 1500 }, 30_000);
    expect(at[0]).toBeGreaterThanOrEqual(10_000);
    expect(at.filter((t) => t < 30_000 - 2 * 1500)).toHaveLength(2);
    expect(at.slice(1).map((t, i) => t - at[i]!).every((gap) => gap >= MIN_POLL_MS)).toBe(true);
  });

  it('an outlier twice as long as recent tasks of similar scripts is seen within 1 s (median), 2 s at most, within its allowance', () => {
    const waits: number[] = [];
    for (let speech = 2; speech <= 48; speech += 2) {
      const expected = forecast(RECENT, { face: 'character', speechSeconds: speech });
      // At every phase of the polls: 2x the forecast, give or take 10 %.
      for (let k = 0; k <= 40; k++) {
        const doneAt = 2 * expected.durationMs * (0.9 + k / 200);
        const at = polls(expected, doneAt);
        expect(at.length, `speech ${speech} s, done at ${doneAt}`).toBeLessThanOrEqual(allowance(doneAt));
        waits.push(at.at(-1)! - doneAt);
      }
    }
    expect(median(waits)).toBeLessThanOrEqual(1000);
    expect(Math.max(...waits)).toBeLessThanOrEqual(SPARSE_POLL_MS);
  });
});

describe('the adaptive schedule in the handler', () => {
  const h = useMock();
  const taskIdOf = async (response: Response) => ((await response.json()) as { task_id: string }).task_id;

  it('is the default; a done task teaches the timings its script and duration, and the next task is polled on them', async () => {
    const timings = new MemoryTaskTimings();
    const proxy = makeProxy(h, { UPSTREAM_POLL_INTERVAL_MS: '' }, { timings });
    const body = textBody('adaptive-1');
    const firstPostedAt = Date.now();
    expect((await proxy.settle(await taskIdOf(await proxy.post(await signed(body))))).status).toBe('done');
    // Cold: polled on the prior's forecast, and the (fast) mock task is seen done at the first poll.
    const firstPoll = queryCalls(h.mock.calls)[0]!.at - firstPostedAt;
    expect(queryCalls(h.mock.calls)).toHaveLength(1);
    const [learnt] = await timings.recent();
    expect(learnt).toMatchObject({ face: 'character', speechSeconds: textSeconds(String(body.content)) });
    expect(learnt!.durationMs).toBeLessThan(firstPoll);

    const secondPostedAt = Date.now();
    expect((await proxy.settle(await taskIdOf(await proxy.post(await signed(textBody('adaptive-2'))))))).toMatchObject({ status: 'done' });
    // Warm: the forecast is now this deployment's (fast) speed, and the first poll comes about when that task took.
    const secondPoll = queryCalls(h.mock.calls)[1]!.at - secondPostedAt;
    expect(secondPoll).toBeLessThan(firstPoll - 1000);
    expect(Math.abs(secondPoll - learnt!.durationMs)).toBeLessThan(500);
  }, 15_000);

  it('learns when NavTalk finished, not when the poll saw it: the midpoint of the last two polls', async () => {
    const timings = new MemoryTaskTimings();
    const proxy = makeProxy(h, { UPSTREAM_POLL_INTERVAL_MS: '' }, { timings });
    h.mock.configure({ timing: { processingAfterMs: 100, doneAfterMs: 5000 } });
    const postedAt = Date.now();
    expect((await proxy.settle(await taskIdOf(await proxy.post(await signed(textBody('midpoint'))))))).toMatchObject({ status: 'done' });
    const at = queryCalls(h.mock.calls).map((c) => c.at - postedAt);
    expect(at.length).toBeGreaterThanOrEqual(2);
    const [learnt] = await timings.recent();
    // The poll that saw it done would teach a later duration than NavTalk took; the midpoint is within a poll of it.
    expect(learnt!.durationMs).toBeGreaterThan(((at.at(-2)! + at.at(-1)!) / 2) - 100);
    expect(learnt!.durationMs).toBeLessThan(((at.at(-2)! + at.at(-1)!) / 2) + 100);
    expect(learnt!.durationMs).toBeLessThan(at.at(-1)!);
  }, 20_000);
});
