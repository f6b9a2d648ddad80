/**
 * When to ask NavTalk about a running task. Fixed: every UPSTREAM_POLL_INTERVAL_MS. Adaptive (the default):
 * rare while the task is young, dense around the time recent tasks took to finish, then backing off, so the
 * `done` is noticed within a fraction of a second for about as many polls as NavTalk's advised 2 s rate.
 */

/** What recent tasks took from start to `done`, in ms. */
export interface DurationEstimate {
  p10: number;
  p50: number;
  p90: number;
}

/** Durations of recently finished tasks, shared by all of a proxy's tasks. Both calls may fail; polling then falls back. */
export interface TaskTimings {
  estimate(): Promise<DurationEstimate | undefined>;
  record(durationMs: number): Promise<void>;
}

/** How many recent durations the estimate reads: enough for stable percentiles, few enough to follow NavTalk's speed. */
export const RECENT_TASKS = 50;
/** NavTalk's advised poll rate: the whole schedule of a task with no history, and the slowest pace after the window. */
export const SPARSE_POLL_MS = 2000;
/** The fastest pace inside the window, and the number of steps the window's core (p10 to p90) is divided into. */
export const MIN_DENSE_POLL_MS = 250;
const WINDOW_STEPS = 6;

/**
 * The pace inside the window where tasks usually finish: the spread of recent durations (p10 to p90) in
 * WINDOW_STEPS steps, from 250 ms to 2 s. When NavTalk is predictable, `done` is seen within a fraction of a
 * second; when it is not, the pace falls back toward its advised 2 s. Either way a task costs about as many polls
 * as that rate would.
 */
export const densePollMs = (expected: DurationEstimate): number =>
  Math.min(SPARSE_POLL_MS, Math.max(MIN_DENSE_POLL_MS, Math.round((expected.p90 - expected.p10) / WINDOW_STEPS)));

/** The durations list with one more, keeping the newest RECENT_TASKS. */
export const withDuration = (durations: readonly number[], ms: number): number[] =>
  [...durations, Math.max(0, Math.round(ms))].slice(-RECENT_TASKS);

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

export function estimateFrom(durations: readonly number[]): DurationEstimate | undefined {
  if (durations.length === 0) return undefined;
  const sorted = [...durations].sort((a, b) => a - b);
  return { p10: quantile(sorted, 0.1), p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9) };
}

/**
 * Milliseconds from this poll to the next, for a task `elapsedMs` old.
 * - fixed interval: that interval;
 * - no history: every 2 s;
 * - before the window (from p10, less one dense step): the gap grows with the task's age (2 s, then twice its
 *   age, at most p50/4), never jumping past the window's start, so early finishers still show up;
 * - in the window (to 110 % of p90, plus one dense step): every densePollMs;
 * - after it: back off from the dense pace to 2 s as the task overruns.
 */
export function pollDelay(elapsedMs: number, expected: DurationEstimate | undefined, fixedMs: number | null): number {
  if (fixedMs !== null) return fixedMs;
  if (!expected) return SPARSE_POLL_MS;
  const dense = densePollMs(expected);
  const windowStart = expected.p10 - dense;
  const windowEnd = expected.p90 * 1.1 + dense;
  if (elapsedMs < windowStart) {
    const growing = Math.min(Math.max(SPARSE_POLL_MS, 2 * elapsedMs), Math.max(SPARSE_POLL_MS, expected.p50 / 4));
    return Math.max(dense, Math.min(growing, windowStart - elapsedMs));
  }
  if (elapsedMs <= windowEnd) return dense;
  return Math.min(SPARSE_POLL_MS, dense + (elapsedMs - windowEnd) / 2);
}
