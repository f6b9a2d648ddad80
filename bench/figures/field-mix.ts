import { startStack } from '../../scripts/lib/stack.js';
import type { MockNavTalk, MockTask } from '../../src/mock/server.js';
import { mulberry32, type MockWorkload } from '../../src/mock/workload.js';
import { followTask, viewerIp, type ViewerOutcome } from '../../test/e2e/faults-clients.js';
import type { BenchContext } from '../lib/context.js';
import { workerDefaults } from '../lib/freeze.js';
import { table, verdict, type Figure, type SummaryRow } from '../lib/report.js';
import { median, ms, num, percentile, ratio, sleep } from '../lib/stats.js';

const ORIGIN = 'http://bench.example';
type Params = Omit<MockWorkload, 'seed'>;
/** The mix: 3 words take about 4.7 s, 120 words about 29 s (NavTalk's typical 5-30 s); 5 % fail, 2 % straggle at 3x. */
const FIELD: Params = { overheadMs: 4000, factor: 0.55, noise: 0.15, failureRate: 0.05, stragglerRate: 0.02, stragglerFactor: 3 };
/** Another NavTalk, that no schedule was tuned on: less overhead, more work per second of speech, noisier. */
const HOLD_OUT: Params = { ...FIELD, overheadMs: 2500, factor: 0.75, noise: 0.25 };
const MIN_WORDS = 3;
const MAX_WORDS = 120;
const ARRIVALS_PER_S = 1;
/** The history the adaptive schedule keeps (RECENT_TASKS): "after 50 tasks" = started once 50 were seen done. */
const WARM_AFTER = 50;
/** After this arrival, every OUTLIER_EVERY-th one is made to take twice its script's normal time. */
const OUTLIERS_FROM = 80;
const OUTLIER_EVERY = 10;
/** Longer than the Worker's UPSTREAM_MAX_WAIT_SECONDS (180): the Worker, not the client, gives up first. */
const VIEWER_TIMEOUT_MS = 200_000;
/** A few hundred tasks a day from one address: the daily budget and script length are raised, nothing else. */
const VARS = { DAILY_GENERATION_LIMIT: '1000', MAX_TEXT_LENGTH: '2000' };
const LATENCY_GOAL_MS = 300;
const P90_GOAL_MS = 1000;
const NEW_DEPLOYMENT_GOAL_MS = 1000;
const OUTLIER_GOAL_MS = 1000;

/** Common words of 2-9 letters: about 6 characters a word with its space, 15 a second at 150 words a minute. */
const WORDS = `the avatar will show you how our new service works and what it can do for your team today please
watch this short video before the meeting starts because every customer question matters welcome back everyone
remember that support is open seven days a week thank listen carefully simple answers quickly private secure
product release updates schedule important information delivery minutes morning evening together is to in on at
it we of by so`.split(/\s+/);

interface Arrival { index: number; atMs: number; words: number; content: string; outlier: boolean }

/** The run's scripts and arrival instants (Poisson, ARRIVALS_PER_S), all from `seed`; scripts are distinct. */
function arrivals(seed: number, count: number): Arrival[] {
  const random = mulberry32(seed);
  const used = new Set<string>();
  const list: Arrival[] = [];
  let atMs = 0;
  for (let index = 0; index < count; index++) {
    atMs += (-Math.log(1 - random()) / ARRIVALS_PER_S) * 1000;
    const words = MIN_WORDS + Math.floor(random() * (MAX_WORDS - MIN_WORDS + 1));
    let content = '';
    // A repeat would be a cache hit, not a task; bounded, and a repeat of 3 words from this list is rare.
    for (let attempt = 0; attempt < 20 && (content === '' || used.has(content)); attempt++) {
      const text = Array.from({ length: words }, () => WORDS[Math.floor(random() * WORDS.length)]!).join(' ');
      content = `${text[0]!.toUpperCase()}${text.slice(1)}.`;
    }
    used.add(content);
    list.push({ index, atMs, words, content, outlier: index >= OUTLIERS_FROM && index % OUTLIER_EVERY === 0 });
  }
  return list;
}

interface Sample {
  index: number;
  words: number;
  /** Tasks the clients had seen done when this one was posted: what the Worker had learnt from, at most. */
  history: number;
  /** done / failed as the mock decided and the client saw; `other` when they disagree (a bench or proxy fault). */
  kind: 'done' | 'failed' | 'other';
  straggler: boolean;
  outlier: boolean;
  /** From NavTalk's acceptance to its done (or failed), in ms. */
  taskMs: number;
  polls: number;
  /** From the mock's done_at to the client seeing it (done or failed). */
  latency: number;
}

const budget = (s: Sample) => s.taskMs / 2000 + 2;
const withinBudget = (s: Sample) => s.polls <= budget(s);

interface Run { label: string; samples: Sample[]; seconds: number }

/** What a run's tasks came to: how many ended each way, stragglers and outliers among them. */
function counts({ label, samples, seconds }: Run): (string | number)[] {
  const count = (keep: (s: Sample) => boolean) => samples.filter(keep).length;
  return [label, count(() => true), count((s) => s.kind === 'done'), count((s) => s.kind === 'failed'), count((s) => s.straggler),
    count((s) => s.outlier), count((s) => s.kind === 'other'), `${seconds} s`];
}

/** One schedule and workload on a new stack (a new deployment: fresh Durable Objects); every arrival followed to its end. */
async function stream(ctx: BenchContext, label: string, interval: number | undefined, params: Params, seed: number, list: Arrival[]): Promise<Run> {
  const stack = await startStack({ origins: [ORIGIN], config: ctx.workerConfig, vars: { ...VARS, ...(interval ? { UPSTREAM_POLL_INTERVAL_MS: String(interval) } : {}) } });
  const mock = stack.mock!;
  mock.configure({ workload: { ...params, seed } });
  const outliers = new Set(list.filter((a) => a.outlier).map((a) => a.content));
  const unsubscribe = mock.onTask((task) => {
    if (outliers.has(String(task.request.content))) mock.setTaskDuration(task.task_id, 2 * (params.overheadMs + params.factor * task.speech_ms!));
  });
  try {
    let seenDone = 0;
    const started = Date.now();
    const followed: Promise<{ arrival: Arrival; history: number; postedAt: number; outcome: ViewerOutcome }>[] = [];
    for (const arrival of list) {
      await sleep(Math.max(0, started + arrival.atMs - Date.now()));
      const history = seenDone;
      const postedAt = Date.now();
      const body = { character_name: 'navtalk.Leo', content: arrival.content, voice: 'echo' as const };
      followed.push(followTask(`${stack.workerUrl}/`, body, { origin: ORIGIN, ip: viewerIp(arrival.index + 1) }, VIEWER_TIMEOUT_MS).then((outcome) => {
        if (outcome.status === 'done') seenDone++;
        return { arrival, history, postedAt, outcome };
      }));
    }
    const ended = await Promise.all(followed);
    const samples = toSamples(mock, ended);
    const seconds = Math.round((Date.now() - started) / 1000);
    ctx.log(`field-mix ${label}: ${seconds} s, tasks [index, words, history, kind, straggler, outlier, task ms, polls, latency ms]: ${JSON.stringify(samples.map((s) => [s.index, s.words, s.history, s.kind, +s.straggler, +s.outlier, s.taskMs, s.polls, Math.round(s.latency)]))}`);
    return { label, samples, seconds };
  } finally {
    unsubscribe();
    await stack.stop();
  }
}

function toSamples(mock: MockNavTalk, ended: { arrival: Arrival; history: number; postedAt: number; outcome: ViewerOutcome }[]): Sample[] {
  const tasks = new Map<string, MockTask>(mock.tasks().map((t) => [String(t.request.content), t]));
  const polls = new Map<string, number>();
  for (const call of mock.calls) {
    if (call.path === '/query_status') polls.set(call.query.task_id ?? '', (polls.get(call.query.task_id ?? '') ?? 0) + 1);
  }
  return ended.map(({ arrival, history, postedAt, outcome }) => {
    const task = tasks.get(arrival.content);
    const agrees = task?.done_at !== undefined && (task.status === 'done') === (outcome.status === 'done');
    return {
      index: arrival.index,
      words: arrival.words,
      history,
      kind: agrees ? (task.status as 'done' | 'failed') : 'other',
      straggler: task?.straggler === true,
      outlier: arrival.outlier,
      taskMs: task?.done_at !== undefined ? task.done_at - task.created_at : NaN,
      polls: task ? polls.get(task.task_id) ?? 0 : 0,
      latency: agrees ? postedAt + outcome.ms - task.done_at! : NaN,
    };
  });
}

interface Group { label: string; samples: Sample[] }

const latencies = (g: Group) => g.samples.map((s) => s.latency);
const medLatency = (g: Group) => median(latencies(g));
const p90Latency = (g: Group) => percentile(latencies(g), 90);
const medPolls = (g: Group) => median(g.samples.map((s) => s.polls));
/** The poll goal on a group: its median task is within s/2 + 2 polls. */
const pollsMet = (g: Group) => median(g.samples.map((s) => s.polls - budget(s))) <= 0;

const seconds = (v: number) => (Number.isFinite(v) ? `${num(v / 1000, 1)} s` : 'n/a');

function row(g: Group): (string | number)[] {
  return [
    g.label, num(g.samples.length),
    ms(medLatency(g)), ms(p90Latency(g)), ms(Math.max(...latencies(g))),
    num(medPolls(g)), seconds(median(g.samples.map((s) => s.taskMs))),
    `${g.samples.filter(withinBudget).length} / ${g.samples.length}`,
  ];
}

/** The rows of one stack: by history for the adaptive default, then its stragglers, failures and outliers (when there are any). */
function groups(label: string, samples: Sample[], adaptive: boolean): Group[] {
  const done = samples.filter((s) => s.kind === 'done');
  const mix = done.filter((s) => !s.outlier);
  return [
    ...(adaptive
      ? [
        { label: `${label}, new deployment (started before ${WARM_AFTER} were done)`, samples: mix.filter((s) => s.history < WARM_AFTER) },
        { label: `${label}, after ${WARM_AFTER} tasks`, samples: mix.filter((s) => s.history >= WARM_AFTER) },
      ]
      : [{ label, samples: mix }]),
    ...[
      { label: `${label}: stragglers (3x, done)`, samples: mix.filter((s) => s.straggler) },
      { label: `${label}: failed (detection of the failure)`, samples: samples.filter((s) => s.kind === 'failed') },
      { label: `${label}, after ${WARM_AFTER} tasks: outliers at 2x their script's normal time`, samples: done.filter((s) => s.outlier) },
    ].filter((g) => g.samples.length > 0),
  ];
}

/** Whole-figure counts: outliers are scheduled only after the warm-up; a group of none shows n/a. */
export interface FieldMixOptions { fieldArrivals: number; holdOutArrivals: number; fixedArrivals: number; fixedIntervals: number[] }

/**
 * Figure 3b: detection and upstream polls on a field mix of scripts, where each task's time follows its script
 * (the mock's workload), beside fixed intervals; the Worker's default schedule on a new deployment and after 50
 * tasks, with outliers, and on a hold-out NavTalk it was not tuned on.
 */
export async function fieldMix(ctx: BenchContext, opts: FieldMixOptions): Promise<Figure> {
  if (workerDefaults().UPSTREAM_POLL_INTERVAL_MS) throw new Error('the bench expects the adaptive schedule as the default (UPSTREAM_POLL_INTERVAL_MS empty)');
  const seedText = process.env.BENCH_FIELD_SEED ?? String(Date.now() % 2 ** 32);
  const seed = Number(seedText);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new Error(`BENCH_FIELD_SEED must be a whole number from 0 to 4294967295, got ${seedText}`);
  const list = arrivals(seed, Math.max(opts.fieldArrivals, opts.holdOutArrivals, opts.fixedArrivals));
  ctx.log(`field-mix seed ${seed}`);

  const field = await stream(ctx, 'default (adaptive), field mix', undefined, FIELD, seed, list.slice(0, opts.fieldArrivals));
  const fixed: { interval: number; run: Run }[] = [];
  for (const interval of opts.fixedIntervals) {
    // The same scripts at the same instants, without outliers (they are the default's test): the same tasks, drawn from the same seed.
    const same = list.slice(0, opts.fixedArrivals).map((a) => ({ ...a, outlier: false }));
    fixed.push({ interval, run: await stream(ctx, `fixed ${interval} ms`, interval, FIELD, seed, same) });
  }
  const holdOut = await stream(ctx, 'default (adaptive), hold-out', undefined, HOLD_OUT, seed, list.slice(0, opts.holdOutArrivals).map((a) => ({ ...a, outlier: false })));

  const fieldGroups = groups('default (adaptive)', field.samples, true);
  const fixedGroups = fixed.map((f) => ({ f, g: groups(`fixed ${f.interval} ms`, f.run.samples, false) }));
  const holdOutGroups = groups('hold-out NavTalk, default (adaptive)', holdOut.samples, true);
  const [cold, warm] = fieldGroups as [Group, Group];
  const outliers = fieldGroups.find((g) => g.label.includes('outliers'));
  const [holdCold, holdWarm] = holdOutGroups as [Group, Group];
  const advised = fixedGroups.find(({ f }) => f.interval === 2000)?.g[0];
  const base = (pick: (g: Group) => number) => (advised ? pick(advised) : NaN);
  const baseLabel = (v: number, unit: (n: number) => string) => (advised ? `${unit(v)} (fixed 2 s)` : 'n/a');

  const latencyRow = (figure: string, g: Group, value: (g: Group) => number, goalMs: number): SummaryRow => ({
    figure, ours: ms(value(g)), baseline: baseLabel(base(value), ms), ratio: ratio(value(g), base(value)), goal: `<= ${ms(goalMs)}`, met: value(g) <= goalMs,
  });
  const pollsRow = (figure: string, g: Group): SummaryRow => ({
    figure, ours: `${num(medPolls(g))} (${g.samples.filter(withinBudget).length} / ${g.samples.length} tasks within)`,
    baseline: baseLabel(base(medPolls), (v) => num(v)), ratio: ratio(medPolls(g), base(medPolls)), goal: 'median task <= s/2 + 2 polls', met: pollsMet(g),
  });
  const outlierMet = outliers !== undefined && outliers.samples.length > 0
    && outliers.samples.every((s) => s.latency <= OUTLIER_GOAL_MS && withinBudget(s));
  const summary: SummaryRow[] = [
    latencyRow('3b. field mix: detection median (default, after 50 tasks)', warm, medLatency, LATENCY_GOAL_MS),
    latencyRow('3b. field mix: detection p90 (default, after 50 tasks)', warm, p90Latency, P90_GOAL_MS),
    latencyRow('3b. field mix: detection median (default, new deployment)', cold, medLatency, NEW_DEPLOYMENT_GOAL_MS),
    pollsRow('3b. field mix: upstream polls per task, median (default, after 50 tasks)', warm),
    pollsRow('3b. field mix: upstream polls per task, median (default, new deployment)', cold),
    {
      figure: '3b. field mix: outliers at 2x their script\'s time (default, after 50 tasks): slowest detection',
      ours: outliers ? `${ms(Math.max(...latencies(outliers)))} (${outliers.samples.filter(withinBudget).length} / ${outliers.samples.length} within s/2 + 2 polls)` : 'none',
      baseline: '', ratio: 'n/a', goal: `each <= ${ms(OUTLIER_GOAL_MS)} and <= s/2 + 2 polls`, met: outlierMet,
    },
    latencyRow('3b. hold-out NavTalk: detection median (default, after 50 tasks)', holdWarm, medLatency, LATENCY_GOAL_MS),
    latencyRow('3b. hold-out NavTalk: detection p90 (default, after 50 tasks)', holdWarm, p90Latency, P90_GOAL_MS),
    latencyRow('3b. hold-out NavTalk: detection median (default, new deployment)', holdCold, medLatency, NEW_DEPLOYMENT_GOAL_MS),
    pollsRow('3b. hold-out NavTalk: upstream polls per task, median (default, after 50 tasks)', holdWarm),
    ...fixedGroups.map(({ f, g }) => ({
      figure: `3b. field mix: detection median (fixed ${f.interval} ms; polls per task ${num(medPolls(g[0]!))})`,
      ours: ms(medLatency(g[0]!)), baseline: '', ratio: 'n/a', goal: 'none (comparison)', met: null,
    })),
  ];
  const missed = summary.filter((r) => r.met === false);
  const describe = (p: Params) => `overhead ${p.overheadMs / 1000} s + ${p.factor} x speech, log-normal noise sigma ${p.noise}, `
    + `${p.failureRate * 100} % failed, ${p.stragglerRate * 100} % stragglers at ${p.stragglerFactor}x`;
  const typical = (p: Params, words: number) => `${num((p.overheadMs + p.factor * ((words * 6) / 15) * 1000) / 1000, 1)} s`;

  return {
    title: '3b. Detection on a field mix of scripts',
    summary,
    body: `
Seed **${seed}** (replay: \`BENCH_FIELD_SEED=${seed} BENCH_ONLY=field-mix npx tsx bench/run.ts\`). Figure 3 times 25 s tasks
that all take the same time; here each task's time follows its script, as NavTalk's would, so no schedule can be
tuned to one duration by accident. The mock's workload (src/mock/workload.ts, docs/mock.md) reads a script's speech
at 15 characters a second (about 150 words a minute) and makes a task take ${describe(FIELD)}: ${typical(FIELD, MIN_WORDS)}
for ${MIN_WORDS} words, ${typical(FIELD, MAX_WORDS)} for ${MAX_WORDS} (before noise). Scripts of ${MIN_WORDS} to ${MAX_WORDS} words (uniform, from a list of
common words) arrive as a Poisson stream of ${ARRIVALS_PER_S} a second (about 18 running at once), each a new script
followed by one client running the element's task runner in Node (test/e2e/faults-clients.ts: one POST, then
long-polls) with its own \`CF-Connecting-IP\`. The Worker runs its production defaults except
\`DAILY_GENERATION_LIMIT=1000\` and \`MAX_TEXT_LENGTH=2000\` (the protocol's limit; 120 words are about 720 characters, and the default 500
stops at about 85 words). Each schedule runs on a new stack (\`wrangler dev\` with a new persist folder: a new
deployment, no history):

- **default (adaptive)**: ${opts.fieldArrivals} arrivals. A task counts as *new deployment* if fewer than ${WARM_AFTER} tasks had been seen
  done when it was posted, else *after ${WARM_AFTER} tasks* (the issue's "after 50 tasks"; the schedule learns from the last 100). From arrival ${OUTLIERS_FROM},
  every ${OUTLIER_EVERY}th task is an **outlier**: the mock makes it take twice its script's normal time (\`mock.setTaskDuration\`,
  2 x (overhead + factor x speech)), which no prediction from similar scripts can foresee; outliers are left out of the other rows.
- **fixed 1 s and 2 s** (\`UPSTREAM_POLL_INTERVAL_MS\`): the first ${opts.fixedArrivals} of the same arrivals, the same scripts at the same
  instants and the same seed, so the same tasks (no outliers).
- **hold-out NavTalk**: the default schedule on another parameter set that it was not tuned on (${describe(HOLD_OUT)};
  ${typical(HOLD_OUT, MIN_WORDS)} to ${typical(HOLD_OUT, MAX_WORDS)}), the first ${opts.holdOutArrivals} arrivals, no outliers.

Detection = the client's \`Date.now()\` when its runner resolves (or rejects, for a failed task) minus the mock's
\`done_at\` (one process, one clock). Polls are the mock's \`/query_status\` calls for the task. Task = its time on the
mock, from acceptance to \`done\` (or \`failed\`); the poll goal per task is s/2 + 2 (NavTalk's advised 2 s rate, plus
the first and last). Rows of tasks that ended done, except the failed rows.

${table(['Worker schedule', 'tasks', 'median detection', 'p90 detection', 'max detection', 'median upstream polls per task', 'median task', 'tasks within s/2 + 2 polls'], [
    ...fieldGroups.map(row), ...fixedGroups.flatMap(({ g }) => g.map(row)), ...holdOutGroups.map(row),
  ])}

What each run's tasks came to (\`other\`: the client and the mock disagree on how a task ended; the run's time is
from the first arrival to the last task's end):

${table(['run', 'tasks', 'done', 'failed', 'stragglers', 'outliers', 'other', 'time'], [field, ...fixed.map((f) => f.run), holdOut].map(counts))}

${summary.filter((r) => r.met !== null).map((r) => `- ${r.figure}: ${r.ours}, goal ${r.goal}: ${verdict(r.met)}`).join('\n')}
${missed.length ? `\n**Missed**: ${missed.map((r) => r.figure.replace(/^3b\. /, '')).join('; ')} (see the rows above).` : ''}
`,
  };
}
