import type { FaceKind, TaskFeatures } from './speech.js';

/**
 * When to ask NavTalk about a running task. Fixed: every UPSTREAM_POLL_INTERVAL_MS. Adaptive (the default): each
 * task's duration is forecast from its own script (generation time grows with the length of the speech), by a
 * robust fit of this deployment's finished tasks, and the polls are spread around that forecast: rare while the
 * task is young, dense where it is likely to finish, never more in total than NavTalk's advised 2 s rate plus two.
 */

/** A finished task: what it asked for and how long NavTalk took (start to done, in ms). */
export interface TimingSample {
  speechSeconds: number | null;
  face: FaceKind;
  durationMs: number;
}

/** Recent finished tasks, shared by all of a proxy's tasks. Both calls may fail; polling then falls back. */
export interface TaskTimings {
  recent(): Promise<TimingSample[]>;
  record(sample: TimingSample): Promise<void>;
}

/** When a task is expected to be done (ms after its start) and how far off that may be (a robust standard deviation). */
export interface Forecast {
  durationMs: number;
  spreadMs: number;
}

/** How many finished tasks the fit reads: enough for a stable fit, few enough to follow NavTalk's speed. */
export const RECENT_TASKS = 100;
/** NavTalk's advised poll rate: the schedule of a task with no forecast, and the slowest pace near its end. */
export const SPARSE_POLL_MS = 2000;
/** The fastest pace. */
export const MIN_POLL_MS = 250;
/**
 * What a new deployment assumes before its own tasks say otherwise: a fixed cost plus 0.7 s per second of speech,
 * give or take 40 %: wide, so that its polls stay close to NavTalk's advised rate until it has learnt.
 */
export const PRIOR = { overheadMs: 5000, msPerSpeechSecond: 700, relativeSpread: 0.4 } as const;
/** How many tasks of evidence the prior spread counts as. */
const PRIOR_WEIGHT = 3;
/** The fit's spread is never taken as tighter than this (relative, and absolute in ms). */
const MIN_RELATIVE_SPREAD = 0.03;
const MIN_SPREAD_MS = 150;
/** Pairs of tasks whose speech differs by less than this say nothing about the slope. */
const MIN_SLOPE_RUN_S = 1;
/** Pairs that make a slope worth more than the prior's. */
const MIN_SLOPE_PAIRS = 10;

/** The newest RECENT_TASKS samples, with one more. */
export const withSample = (samples: readonly TimingSample[], sample: TimingSample): TimingSample[] =>
  [...samples, { ...sample, durationMs: Math.max(0, Math.round(sample.durationMs)) }].slice(-RECENT_TASKS);

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
/** The median absolute deviation scaled to a normal standard deviation: a spread that outliers barely move. */
const robustSpread = (values: readonly number[]): number => {
  const center = median(values);
  return 1.4826 * median(values.map((v) => Math.abs(v - center)));
};

const priorDuration = (speechSeconds: number) => PRIOR.overheadMs + PRIOR.msPerSpeechSecond * speechSeconds;

/**
 * Duration = overhead (per kind of face) + slope x speech seconds: the slope is the Theil-Sen estimate (the median
 * of the slopes between pairs of tasks), the overheads medians of what the slope leaves. Medians, so a straggler
 * (a task 3x slower than its script) moves the fit no more than any other single task. Until there are pairs
 * enough for a slope, the prior's shape scaled to the tasks seen (the median of their ratios to it).
 */
function fit(samples: readonly TimingSample[]) {
  const known = samples.filter((s): s is TimingSample & { speechSeconds: number } => s.speechSeconds !== null);
  const slopes: number[] = [];
  for (let i = 0; i < known.length; i++) {
    for (let j = i + 1; j < known.length; j++) {
      const run = known[j]!.speechSeconds - known[i]!.speechSeconds;
      if (Math.abs(run) >= MIN_SLOPE_RUN_S) slopes.push((known[j]!.durationMs - known[i]!.durationMs) / run);
    }
  }
  if (slopes.length < MIN_SLOPE_PAIRS) {
    const scale = known.length ? median(known.map((s) => s.durationMs / priorDuration(s.speechSeconds))) : 1;
    const predict = (speechSeconds: number) => Math.max(MIN_POLL_MS, scale * priorDuration(speechSeconds));
    return { predict, errors: known.map((s) => s.durationMs / predict(s.speechSeconds) - 1) };
  }
  const slope = Math.max(0, median(slopes));
  const rest = (s: (typeof known)[number]) => s.durationMs - slope * s.speechSeconds;
  const overall = median(known.map(rest));
  const overheads = new Map<FaceKind, number>();
  for (const face of ['character', 'image', 'video'] as const) {
    const own = known.filter((s) => s.face === face);
    if (own.length >= 3) overheads.set(face, median(own.map(rest)));
  }
  const predict = (speechSeconds: number, face: FaceKind) => Math.max(MIN_POLL_MS, (overheads.get(face) ?? overall) + slope * speechSeconds);
  const errors = known.map((s) => s.durationMs / predict(s.speechSeconds, s.face) - 1);
  return { predict, errors };
}

/**
 * The forecast for a task with these features, from recent samples (none: the prior). The spread blends the prior's
 * with the fit's errors, so a handful of lucky tasks cannot make a new deployment overconfident.
 */
export function forecast(samples: readonly TimingSample[], features: TaskFeatures): Forecast {
  let durationMs: number;
  let errors: number[];
  if (features.speechSeconds === null) {
    // No length to go by: the recent durations themselves.
    const durations = samples.map((s) => s.durationMs);
    durationMs = durations.length ? median(durations) : priorDuration(10);
    errors = durations.map((d) => d / durationMs - 1);
  } else {
    const model = fit(samples);
    durationMs = model.predict(features.speechSeconds, features.face);
    errors = model.errors;
  }
  const learnt = errors.length >= 2 ? robustSpread(errors) : PRIOR.relativeSpread;
  const relative = (PRIOR.relativeSpread * PRIOR_WEIGHT + learnt * errors.length) / (PRIOR_WEIGHT + errors.length);
  return { durationMs, spreadMs: Math.max(MIN_SPREAD_MS, durationMs * Math.max(MIN_RELATIVE_SPREAD, relative)) };
}

/**
 * The n-th poll of a task is never before (n - 1) x 2 s: whenever NavTalk finishes, the polls made before it are at
 * most its seconds / 2 + 1, so with the one that sees `done` a task costs at most NavTalk's advised rate plus two.
 */
const earliestPoll = (n: number) => (n - 1) * SPARSE_POLL_MS;
/** How far past the forecast (in spreads) the polls around it should last before the allowance runs out. */
const WINDOW_SPREADS = 3;
/** Polls kept back for a task that overruns its window. */
const RESERVED_POLLS = 1;
/** The pace after the forecast while the allowance lasts, so a task that overruns is still seen soon. */
const LATE_POLL_MS = 1500;
const STEP_MS = 25;

/**
 * Milliseconds from this poll (the task is `elapsedMs` old and has been polled `polls` times) to the next.
 * - fixed interval: that interval; no forecast: every 2 s;
 * - else polls are spread with a density that follows the square root of the forecast's bell curve (for a given
 *   number of polls, the shortest expected wait for `done`), as dense as the allowance lets it be until a few
 *   spreads past the forecast: none before the bell but one (a task that fails or finishes early is still seen),
 *   gaps of at most LATE_POLL_MS after the forecast;
 * - a poll that would go over the allowance (earliestPoll) waits for it.
 */
export function pollDelay(elapsedMs: number, polls: number, expected: Forecast | undefined, fixedMs: number | null): number {
  if (fixedMs !== null) return fixedMs;
  if (!expected) return SPARSE_POLL_MS;
  const { durationMs: center, spreadMs: spread } = expected;
  const earlyGap = Math.max(SPARSE_POLL_MS, center / 2);
  // Half of what the allowance holds by the end of the window goes before the center, half after it.
  const allowance = (center + WINDOW_SPREADS * spread) / SPARSE_POLL_MS + 1;
  const early = Math.max(0, (center - 2 * spread) / earlyGap);
  const perHalf = Math.max(1, (allowance - early - RESERVED_POLLS) / 2);
  const densest = Math.min(SPARSE_POLL_MS, Math.max(MIN_POLL_MS, (Math.sqrt(Math.PI) * spread) / perHalf));
  const gapAt = (t: number) => {
    const z = (t - center) / (2 * spread);
    return Math.min(densest * Math.exp(z * z), t < center ? earlyGap : LATE_POLL_MS);
  };
  // The next poll is one poll's worth of density away: walk forward until a whole poll is covered.
  let t = elapsedMs;
  for (let covered = 0; covered < 1; t += STEP_MS) covered += STEP_MS / gapAt(t);
  return Math.max(MIN_POLL_MS, Math.round(Math.max(t, earliestPoll(polls + 1)) - elapsedMs));
}
