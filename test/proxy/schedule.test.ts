import { describe, expect, it } from 'vitest';
import {
  MIN_DENSE_POLL_MS, MemoryTaskTimings, RECENT_TASKS, SPARSE_POLL_MS, densePollMs, estimateFrom, pollDelay, withDuration,
  type DurationEstimate,
} from '../../src/proxy/index.js';
import { signed, textBody } from './cases.js';
import { makeProxy, queryCalls, useMock } from './harness.js';

/** The instants (ms after the start) at which a task is polled until one is at or past `doneAt`. */
function polls(expected: DurationEstimate | undefined, doneAt: number): number[] {
  const at = [pollDelay(0, expected, null)];
  while (at.at(-1)! < doneAt) at.push(at.at(-1)! + pollDelay(at.at(-1)!, expected, null));
  return at;
}

const TYPICAL: DurationEstimate = { p10: 24_200, p50: 25_100, p90: 26_000 };

describe('the adaptive upstream poll schedule', () => {
  it('a fixed interval is kept as is; with no history, NavTalk\'s advised 2 s', () => {
    expect([pollDelay(0, TYPICAL, 250), pollDelay(24_000, TYPICAL, 250)]).toEqual([250, 250]);
    expect(polls(undefined, 25_000)).toEqual(Array.from({ length: 13 }, (_, i) => (i + 1) * SPARSE_POLL_MS));
  });

  it('for a 24-26 s task after 24-26 s tasks: at most 13 polls, and done is seen within one dense step (300 ms)', () => {
    expect(densePollMs(TYPICAL)).toBe(300);
    for (let doneAt = 24_000; doneAt <= 26_000; doneAt += 100) {
      const at = polls(TYPICAL, doneAt);
      expect(at.length, `done at ${doneAt}`).toBeLessThanOrEqual(13);
      expect(at.at(-1)! - doneAt, `done at ${doneAt}`).toBeLessThanOrEqual(300);
    }
  });

  it('paces the window by the spread of recent durations: 250 ms when NavTalk is steady, 2 s when it is not', () => {
    const steady: DurationEstimate = { p10: 24_900, p50: 25_000, p90: 25_100 };
    expect(densePollMs(steady)).toBe(MIN_DENSE_POLL_MS);
    expect(polls(steady, 25_000).at(-1)! - 25_000).toBeLessThanOrEqual(MIN_DENSE_POLL_MS);
    const erratic: DurationEstimate = { p10: 15_000, p50: 22_000, p90: 30_000 };
    expect(densePollMs(erratic)).toBe(SPARSE_POLL_MS);
    // As many polls for its slow tasks as NavTalk's advised 2 s rate would make (30 s: 15), and no more.
    for (const doneAt of [15_000, 22_000, 30_000]) expect(polls(erratic, doneAt).length).toBeLessThanOrEqual(doneAt / SPARSE_POLL_MS);
  });

  it('is sparse while the task is young, yet sees an early finisher within p50/4', () => {
    const at = polls(TYPICAL, 8000);
    expect(at[0]).toBe(SPARSE_POLL_MS);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    expect(gaps.every((g) => g >= SPARSE_POLL_MS && g <= TYPICAL.p50 / 4)).toBe(true);
    expect(at.at(-1)! - 8000).toBeLessThanOrEqual(TYPICAL.p50 / 4);
  });

  it('never jumps past the window, and backs off to 2 s once a task overruns it', () => {
    const at = polls(TYPICAL, 60_000);
    const windowStart = TYPICAL.p10 - densePollMs(TYPICAL);
    expect(at).toContain(windowStart);
    const late = at.filter((t) => t > 40_000);
    expect(late.slice(1).map((t, i) => t - late[i]!).every((g) => g === SPARSE_POLL_MS)).toBe(true);
  });

  it('learns from the newest durations only', () => {
    let durations: number[] = [];
    for (let i = 0; i < RECENT_TASKS + 20; i++) durations = withDuration(durations, i < 20 ? 100_000 : 10_000 + i);
    expect(durations).toHaveLength(RECENT_TASKS);
    expect(estimateFrom(durations)).toEqual({ p10: 10_025, p50: 10_045, p90: 10_065 });
    expect(estimateFrom([])).toBeUndefined();
  });
});

describe('the adaptive schedule in the handler', () => {
  const h = useMock();

  it('is the default; a done task teaches the timings its duration, and the next task polls on them', async () => {
    const timings = new MemoryTaskTimings();
    const proxy = makeProxy(h, { UPSTREAM_POLL_INTERVAL_MS: '' }, { timings });
    const first = await proxy.post(await signed(textBody('adaptive-1')));
    const firstId = ((await first.json()) as { task_id: string }).task_id;
    expect((await proxy.settle(firstId)).status).toBe('done');
    // Cold: the first poll is NavTalk's advised 2 s after the start, and it sees the (fast) mock task done, which
    // happened somewhere in between: the duration learnt is the midpoint.
    expect(queryCalls(h.mock.calls)).toHaveLength(1);
    const learnt = (await timings.estimate())!;
    expect(learnt.p50).toBeGreaterThanOrEqual(SPARSE_POLL_MS / 2);
    expect(learnt.p50).toBeLessThan(SPARSE_POLL_MS / 2 + 500);

    const second = await proxy.post(await signed(textBody('adaptive-2')));
    const secondId = ((await second.json()) as { task_id: string }).task_id;
    const postedAt = Date.now();
    expect((await proxy.settle(secondId)).status).toBe('done');
    // Warm: the first poll lands just before the learnt duration, at the window's start.
    const polledAt = queryCalls(h.mock.calls)[1]!.at;
    expect(polledAt - postedAt).toBeLessThan(learnt.p10);
  }, 15_000);

  it('learns when NavTalk finished, not when the poll saw it: the midpoint of the last two polls', async () => {
    const timings = new MemoryTaskTimings();
    const proxy = makeProxy(h, { UPSTREAM_POLL_INTERVAL_MS: '' }, { timings });
    h.mock.configure({ timing: { processingAfterMs: 100, doneAfterMs: 2500 } });
    const started = await proxy.post(await signed(textBody('midpoint')));
    expect((await proxy.settle(((await started.json()) as { task_id: string }).task_id)).status).toBe('done');
    // Polled at 2 s (processing) and 4 s (done): it finished in between; 4 s would teach a window 1.5 s late.
    expect(queryCalls(h.mock.calls)).toHaveLength(2);
    const learnt = (await timings.estimate())!.p50;
    expect(learnt).toBeGreaterThan(2500);
    expect(learnt).toBeLessThan(3500);
  }, 15_000);
});
