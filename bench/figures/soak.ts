import { startStack } from '../../scripts/lib/stack.js';
import type { MockNavTalk } from '../../src/mock/server.js';
import type { GenerateRequest } from '../../src/protocol/index.js';
import { followTask, viewerIp } from '../../test/e2e/faults-clients.js';
import type { BenchContext } from '../lib/context.js';
import { IsolateSession } from '../lib/inspector.js';
import { loadAverage } from '../lib/machine.js';
import { startBareWorker } from '../lib/miniflare-worker.js';
import { table, type Figure, type SummaryRow } from '../lib/report.js';
import { rssBytes, workerdProcesses } from '../lib/rss.js';
import { MB, num, slope, sleep } from '../lib/stats.js';

const ORIGIN = 'http://bench.example';
const SAMPLE_EVERY_S = 10;
/** Per second: new generations, cache-hit POSTs, status reads of finished tasks. */
const RATE = { fresh: 1, cached: 10, reads: 10 };
const CACHED_SCRIPTS = 20;
/** Growth that still counts as flat: the least-squares slope over the run's second half, kept up for an hour, below this share of the start. */
const FLAT_PER_HOUR = 0.1;
const VARS = { DAILY_GENERATION_LIMIT: '1000000' };
/** How much faster than the baseline Worker ours may grow (bytes/min) and still be workerd's growth, not ours. */
const OVER_BASELINE = 0.5e6;

type Role = 'worker' | 'proxy';

interface Target {
  label: string;
  workerUrl: string;
  mock: MockNavTalk;
  traffic: Traffic;
  /** The pids to sample now, by role (a process that is gone is missing). */
  processes(): Partial<Record<Role, number>>;
  /** Why the target stopped answering, if it did. */
  exitReason(): string;
  /**
   * Runs before each sample: a full garbage collection in the target's isolates, so that the sample is what they
   * keep rather than what V8 has not collected yet. Answers the Worker isolate's JS heap after it (bytes).
   */
  collect?(): Promise<{ collected: boolean; workerHeap?: number }>;
}

interface Sample {
  t: number;
  rss: Partial<Record<Role, { pid: number; bytes: number }>>;
  /** The Worker isolate's JS heap after a full collection, when the target collects. */
  workerHeap?: number;
}

interface Drive {
  samples: Sample[];
  /** Samples whose collection failed or had no answer (taken anyway). */
  uncollected: number;
  outcomes: Outcome[];
  requests: number;
  failedRequests: number;
  /** Seconds into the soak when the Worker's workerd disappeared, if it did. */
  lostAt?: number;
  /** The machine's load averages (1 / 5 / 15 min) when this run started and ended. */
  load: [string, string];
}

/** How one new generation ended: the requests it took, and the error code if it failed. */
interface Outcome {
  requests: number;
  failed?: string;
}

/**
 * What a target's steady traffic is made of. Each second: one new generation, which makes one new Durable Object
 * in either Worker, then RATE.cached cache hits and RATE.reads status reads, each reaching an object `prime` made.
 */
interface Traffic {
  /** What a new generation that did not fail did, for the report. */
  ended: string;
  /** Makes what the cache hits and status reads ask for, before the clock starts. */
  prime(): Promise<void>;
  fresh(): Promise<Outcome>;
  /** The run's n-th cache hit and n-th status read: URL and request. */
  cached(n: number): [string, RequestInit];
  read(n: number): [string, RequestInit];
}

const script = (content: string): GenerateRequest => ({ character_name: 'navtalk.Leo', content, voice: 'echo' });

/** Ours: protocol clients, each with its own address (so the default rate limit holds). */
function ourTraffic(workerUrl: string): Traffic {
  const endpoint = `${workerUrl}/`;
  let viewer = 0;
  const as = () => ({ origin: ORIGIN, ip: viewerIp(++viewer) });
  let done: string[] = [];
  return {
    ended: 'ended done',
    async prime() {
      const primed = await Promise.all(Array.from({ length: CACHED_SCRIPTS }, (_, i) =>
        followTask(endpoint, script(`Soak cached script ${i}.`), as(), 30_000)));
      done = primed.flatMap((o) => (o.status === 'done' ? [o.taskId] : []));
      if (done.length !== CACHED_SCRIPTS) throw new Error(`could not prime the soak's cache: ${JSON.stringify(primed)}`);
    },
    async fresh() {
      const who = as();
      const o = await followTask(endpoint, script(`Soak new script ${viewer} at ${Date.now()}.`), who, 60_000);
      return { requests: o.requests, ...(o.status === 'failed' ? { failed: o.code } : {}) };
    },
    cached: (n) => [endpoint, {
      method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json', 'cf-connecting-ip': viewerIp(++viewer) },
      body: JSON.stringify(script(`Soak cached script ${n % CACHED_SCRIPTS}.`)),
    }],
    read: (n) => [`${endpoint}?task_id=${done[n % done.length]}`, { headers: { origin: ORIGIN } }],
  };
}

/**
 * The baseline Worker's (bench/baseline-worker): a new generation is one POST that makes a new object; cache hits
 * and status reads alike read the stored task of one of the objects made beforehand, as ours reach a task's object.
 */
function baselineTraffic(workerUrl: string): Traffic {
  const endpoint = `${workerUrl}/`;
  let made = 0;
  let ids: string[] = [];
  const start = async (content: string): Promise<string> => {
    const response = await fetch(endpoint, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(script(content)), signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return (await response.json() as { id: string }).id;
  };
  const reach = (n: number): [string, RequestInit] => [`${endpoint}?id=${ids[n % ids.length]}`, {}];
  return {
    ended: 'made their object',
    async prime() {
      ids = await Promise.all(Array.from({ length: CACHED_SCRIPTS }, (_, i) => start(`Soak cached script ${i}.`)));
    },
    fresh: () => start(`Soak new script ${++made} at ${Date.now()}.`).then(() => ({ requests: 1 }), (error: Error) => ({ requests: 1, failed: error.message })),
    cached: reach,
    read: reach,
  };
}

/** Steady traffic for `seconds` against one target, sampling its workerd RSS every 10 s. Bounded in time and count. */
async function drive(target: Target, seconds: number, log: (line: string) => void): Promise<Drive> {
  const { traffic } = target;
  target.mock.configure({ timing: { processingAfterMs: 500, doneAfterMs: 3000 } });
  const result: Drive = { samples: [], uncollected: 0, outcomes: [], requests: 0, failedRequests: 0, load: [loadAverage(), ''] };
  await traffic.prime();

  const start = Date.now();
  const sample = async () => {
    const t = (Date.now() - start) / 1000;
    const collection = await target.collect?.();
    if (collection && !collection.collected) result.uncollected++;
    const rss: Sample['rss'] = {};
    for (const [role, pid] of Object.entries(target.processes()) as [Role, number][]) {
      const bytes = rssBytes(pid);
      if (bytes !== undefined) rss[role] = { pid, bytes };
    }
    result.samples.push({ t, rss, ...(collection?.workerHeap !== undefined ? { workerHeap: collection.workerHeap } : {}) });
    return rss.worker !== undefined;
  };
  await sample();
  const running = new Set<Promise<void>>();
  const call = async ([url, init]: [string, RequestInit]) => {
    result.requests++;
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
      await response.arrayBuffer();
      if (!response.ok) result.failedRequests++;
    } catch {
      result.failedRequests++;
    }
  };
  for (let second = 1; second <= seconds; second++) {
    const tickEnd = start + second * 1000;
    for (let i = 0; i < RATE.fresh; i++) {
      const run = traffic.fresh().then((o) => { result.outcomes.push(o); result.requests += o.requests; });
      running.add(run);
      void run.finally(() => running.delete(run));
    }
    const tick: Promise<void>[] = [];
    for (let i = 0; i < RATE.cached; i++) tick.push(call(traffic.cached(second * RATE.cached + i)));
    for (let i = 0; i < RATE.reads; i++) tick.push(call(traffic.read(second * RATE.reads + i)));
    await Promise.all(tick);
    if (second % SAMPLE_EVERY_S === 0 && !(await sample())) {
      result.lostAt = second;
      log(`soak ${target.label}: the Worker's workerd is gone after ${second} s: ${target.exitReason()}`);
      break;
    }
    await sleep(Math.max(0, tickEnd - Date.now()));
  }
  await Promise.all(running);
  if (result.lostAt === undefined) await sample();
  result.load[1] = loadAverage();
  return result;
}

interface Series {
  role: Role;
  restarts: number;
  start: number;
  max: number;
  end: number;
  perMin: number;
  flat: boolean;
}

/** The RSS series of one role, judged over its last process (a restart starts a new series). */
function series(samples: Sample[], role: Role, seconds: number): Series | undefined {
  const seen = samples.filter((s) => s.rss[role]);
  if (seen.length < 2) return undefined;
  const lastPid = seen.at(-1)!.rss[role]!.pid;
  const restarts = seen.filter((s, i) => i > 0 && s.rss[role]!.pid !== seen[i - 1]!.rss[role]!.pid).length;
  const last = seen.filter((s) => s.rss[role]!.pid === lastPid);
  const ys = last.map((s) => s.rss[role]!.bytes);
  // The first half is warm-up: V8 heaps, SQLite caches and workerd's pools grow before they settle.
  const after = last.filter((s) => s.t - last[0]!.t >= seconds / 2);
  const perS = slope(after.map((s) => s.t), after.map((s) => s.rss[role]!.bytes));
  return { role, restarts, start: ys[0]!, max: Math.max(...ys), end: ys.at(-1)!, perMin: perS * 60, flat: perS * 3600 <= FLAT_PER_HOUR * ys[0]! };
}

/** What happened under wrangler dev, which attaches an inspector to the Worker (and, with this traffic, may exit). */
function wranglerNote(d: Drive): string {
  const first = d.samples[0]?.rss;
  const last = d.samples.filter((s) => s.rss.worker).at(-1)?.rss;
  const grew = (role: Role) => first?.[role] && last?.[role] ? `${MB(first[role]!.bytes)} to ${MB(last[role]!.bytes)}` : 'n/a';
  return [
    d.lostAt !== undefined
      ? `Under wrangler dev the run stopped after ${d.lostAt} s: wrangler dev itself exited (an \`✘ [ERROR]\` with an empty message; its last lines are under "Raw runs"), taking the Worker with it. Until then its Worker's workerd went from ${grew('worker')} and its own proxy workerd from ${grew('proxy')}.`
      : `Under wrangler dev the Worker's workerd went from ${grew('worker')} and wrangler's proxy workerd from ${grew('proxy')}.`,
    "wrangler dev attaches an inspector to the Worker's workerd and enables its Network domain; its InspectorProxyWorker (in the proxy workerd) keeps every inspector event, response bodies included, in a buffer it only empties into a connected DevTools (`runtimeMessageBuffer` in wrangler's templates/startDevWorker/InspectorProxyWorker.ts), so memory there grows with every upstream call whatever the Worker does. That is why the second run measures the same bundle on workerd alone.",
  ].join(' ');
}

const perMin = (s: Series) => `${s.perMin >= 0 ? '+' : ''}${(s.perMin / 1e6).toFixed(2)} MB/min`;

interface HeapSeries {
  start: number;
  end: number;
  perMin: number;
}

/** The Worker isolate's JS heap after collections: first and last reading, and the second half's slope. */
function heapSeries(samples: Sample[], seconds: number): HeapSeries | undefined {
  const seen = samples.filter((s) => s.workerHeap !== undefined);
  if (seen.length < 2) return undefined;
  const after = seen.filter((s) => s.t >= seconds / 2);
  return { start: seen[0]!.workerHeap!, end: seen.at(-1)!.workerHeap!, perMin: slope(after.map((s) => s.t), after.map((s) => s.workerHeap!)) * 60 };
}

/** What the run on workerd alone shows: RSS after collections, and how much of it is the Worker's own JS heap. */
function aloneNote(rss: Series, heap: HeapSeries | undefined, d: Drive): string {
  const js = heap
    ? ` The Worker isolate's JS heap after each collection (its objects, Durable Objects included) went from ${(heap.start / 1e6).toFixed(2)} MB to ${(heap.end / 1e6).toFixed(2)} MB (${heap.perMin >= 0 ? '+' : ''}${(heap.perMin / 1e3).toFixed(1)} kB/min over the second half).`
    : '';
  return rss.flat
    ? `**Flat on workerd alone**: after full collections, the Worker's workerd changed ${perMin(rss)} over the second half (${MB(rss.start)} at the start, ${MB(rss.end)} at the end), over ${num(d.outcomes.length)} new generations, each with a new Durable Object (its task) and a new client in one of the 32 rate-limit objects.${js}`
    : `**Not flat on workerd alone**: even after full collections, the Worker's workerd grew ${perMin(rss)} over the second half (${MB(rss.start)} at the start, ${MB(rss.end)} at the end), over ${num(d.outcomes.length)} new generations, each with a new Durable Object (its task) and a new client in one of the 32 rate-limit objects.${js} Growth outside that heap is workerd's own memory (objects, SQLite, alarms, its allocator); heap snapshots through workerd's inspector (docs/benchmarks.md) tell what it holds.`;
}

/** Whose growth it is: ours beside the baseline Worker's, both on workerd alone in the same run. */
function whoseNote(ours: Series, base: Series, d: Drive): string {
  const over = ours.perMin - base.perMin;
  const both = `after full collections ours grew ${perMin(ours)} over the second half (${MB(ours.start)} to ${MB(ours.end)}), the baseline Worker ${perMin(base)} (${MB(base.start)} to ${MB(base.end)}) over ${num(d.outcomes.length)} new objects of its own`;
  return over <= OVER_BASELINE
    ? `**workerd's growth, not ours**: ${both}. Ours grows at most ${(OVER_BASELINE / 1e6).toFixed(1)} MB/min faster (${over >= 0 ? '+' : ''}${(over / 1e6).toFixed(2)} MB/min), so what is left is what workerd does with a new Durable Object a second, whoever's objects they are.`
    : `**Ours grows faster than workerd does without us**: ${both}. Ours is ${(over / 1e6).toFixed(2)} MB/min faster, more than the ${(OVER_BASELINE / 1e6).toFixed(1)} MB/min allowed: the difference is ours.`;
}

/** A frozen Worker on workerd alone, each sample after full collections through workerd's own inspector. */
async function onWorkerdAlone(label: string, config: string, traffic: (workerUrl: string) => Traffic, seconds: number, log: (line: string) => void): Promise<{ target: Target; drive: Drive }> {
  const bare = await startBareWorker(config, [ORIGIN], VARS, { inspect: true });
  const sessions: IsolateSession[] = [];
  try {
    // Every request runs in these two: the Worker's isolate (its Durable Objects too) and Miniflare's entry Worker.
    for (const id of [/^core:user:/, /^core:entry$/]) sessions.push(await IsolateSession.open(bare.inspector!, id));
    const [worker] = sessions;
    const target: Target = {
      label, workerUrl: bare.workerUrl, mock: bare.mock, traffic: traffic(bare.workerUrl),
      processes: () => ({ worker: workerdProcesses({ parent: process.pid })[0]?.pid }),
      exitReason: () => 'workerd exited',
      async collect() {
        let answered = false;
        const commands = Promise.all(sessions.map((s) => s.send('HeapProfiler.collectGarbage'))).finally(() => { answered = true; });
        // workerd's inspector collects only while the isolate runs something: a health check every 200 ms until
        // both have answered gives them something to run (between the traffic's requests, and after it).
        while (!answered) {
          await fetch(`${bare.workerUrl}/health`).then((r) => r.arrayBuffer(), () => undefined);
          await Promise.race([commands, sleep(200)]);
        }
        const done = await commands;
        const heap = await worker!.send<{ usedSize: number }>('Runtime.getHeapUsage');
        return { collected: done.every((d) => d !== undefined), ...(heap ? { workerHeap: heap.usedSize } : {}) };
      },
    };
    return { target, drive: await drive(target, seconds, log) };
  } finally {
    for (const session of sessions) session.close();
    await bare.stop();
  }
}

/**
 * The soak: the same steady traffic (new generations followed to the end by protocol clients, cache-hit POSTs,
 * status reads) for `seconds`, first against the Worker under wrangler dev, then against the same bundle on
 * workerd alone (Miniflare), then the baseline Worker's traffic of the same shape against it on workerd alone,
 * with the RSS of the workerd processes sampled every 10 s (on workerd alone, each sample right after a full
 * garbage collection of the isolates that serve the requests). One run after the other, not side by side: on
 * this 2-core machine two workerds and their clients would take CPU from each other and slow each other's
 * collections.
 */
export async function soak({ workerConfig, baselineConfig, log }: BenchContext, seconds: number): Promise<Figure> {
  const stack = await startStack({ origins: [ORIGIN], config: workerConfig, vars: VARS });
  const underWrangler: Target = {
    label: 'wrangler dev', workerUrl: stack.workerUrl, mock: stack.mock!, traffic: ourTraffic(stack.workerUrl),
    processes: () => {
      const found = workerdProcesses({ group: stack.workerGroup });
      return { worker: found.find((p) => p.inspector)?.pid, proxy: found.find((p) => !p.inspector)?.pid };
    },
    // Its last lines, without the request log and the colours wrangler puts on its error box even with NO_COLOR.
    exitReason: () => stack.workerOutput().replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter((l) => l.trim() && !l.includes('[wrangler:info]')).slice(-12).join('\n'),
  };
  const runs: { target: Target; drive: Drive }[] = [];
  try {
    runs.push({ target: underWrangler, drive: await drive(underWrangler, seconds, log) });
  } finally {
    await stack.stop();
  }
  runs.push(await onWorkerdAlone('workerd alone (Miniflare)', workerConfig, ourTraffic, seconds, log));
  runs.push(await onWorkerdAlone('baseline Worker, workerd alone (Miniflare)', baselineConfig, baselineTraffic, seconds, log));

  const judged = runs.map(({ target, drive: d }) => {
    const after = target.collect ? ' after a full collection' : '';
    for (const role of ['worker', 'proxy'] as const) {
      const ys = d.samples.map((s) => (s.rss[role] ? (s.rss[role]!.bytes / 1e6).toFixed(1) : '-'));
      if (ys.some((y) => y !== '-')) log(`soak ${target.label}, ${role} workerd RSS${after} (MB, every ${SAMPLE_EVERY_S} s): ${ys.join(' ')}`);
    }
    if (d.samples.some((s) => s.workerHeap !== undefined)) {
      log(`soak ${target.label}, the Worker isolate's JS heap${after} (MB, every ${SAMPLE_EVERY_S} s): ${d.samples.map((s) => (s.workerHeap === undefined ? '-' : (s.workerHeap / 1e6).toFixed(2))).join(' ')}`);
    }
    return { target, drive: d, worker: series(d.samples, 'worker', seconds), proxy: series(d.samples, 'proxy', seconds), heap: heapSeries(d.samples, seconds) };
  });
  const [wrangler, miniflare, baseline] = judged;
  const range = (s: Series | undefined) => (s ? `${MB(s.start)} / ${MB(s.max)} / ${MB(s.end)}` : 'n/a');
  const title = (label: string, after: string) => `soak ${Math.round(seconds / 60)} min, the Worker's workerd RSS${after} (start / max / end), ${label}`;
  const ours = miniflare?.worker;
  const base = baseline?.worker;
  const summary: SummaryRow[] = [
    {
      figure: title(wrangler!.target.label, ''),
      ours: `${range(wrangler!.worker)}${wrangler!.drive.lostAt !== undefined ? ` (wrangler dev exited after ${wrangler!.drive.lostAt} s)` : ''}`,
      baseline: '', ratio: wrangler!.worker && wrangler!.drive.lostAt === undefined ? `slope ${perMin(wrangler!.worker)}` : 'n/a',
      goal: 'flat', met: wrangler!.worker !== undefined && wrangler!.worker.flat && wrangler!.drive.lostAt === undefined,
    },
    {
      figure: title(`${miniflare!.target.label}, beside the baseline Worker's in the same run`, ' after a full GC'),
      ours: ours ? `${range(ours)}, slope ${perMin(ours)}` : 'n/a',
      baseline: base ? `${range(base)}, slope ${perMin(base)} (baseline Worker)` : 'n/a',
      ratio: ours && base ? `slope ${(ours.perMin - base.perMin >= 0 ? '+' : '')}${((ours.perMin - base.perMin) / 1e6).toFixed(2)} MB/min over the baseline's` : 'n/a',
      goal: `slope <= the baseline's + ${(OVER_BASELINE / 1e6).toFixed(1)} MB/min`,
      met: ours !== undefined && base !== undefined && ours.perMin - base.perMin <= OVER_BASELINE,
    },
  ];
  const rows = judged.flatMap(({ target, drive: d, worker, proxy }) => [worker, proxy].flatMap((s) => s ? [[
    target.label,
    s.role === 'worker' ? "the Worker's workerd (Worker, Durable Objects)" : "wrangler dev's proxy workerd in front",
    MB(s.start), MB(s.max), MB(s.end),
    ...(d.lostAt === undefined ? [perMin(s), s.flat ? 'yes' : '**no**'] : [`stopped at ${d.lostAt} s`, 'n/a']),
    String(s.restarts),
  ]] : []));
  const traffic = judged.map(({ target, drive: d }) => {
    const failed = d.outcomes.filter((o) => o.failed !== undefined);
    const codes = [...new Set(failed.map((o) => o.failed))].join(', ');
    return `- ${target.label}: ${num(d.requests)} requests; ${num(d.outcomes.length - failed.length)} of ${num(d.outcomes.length)} new generations ${target.traffic.ended}${failed.length ? `, ${failed.length} failed (${codes})` : ''}; ${num(d.failedRequests)} cache-hit or status requests failed${target.collect ? `; ${d.uncollected} of ${d.samples.length} samples without a confirmed collection` : ''}${d.lostAt !== undefined ? `; **the Worker's workerd was gone after ${d.lostAt} s** (wrangler dev exited), so this run stopped there` : ''}; load average ${d.load[0]} at its start, ${d.load[1]} at its end.`;
  });
  return {
    title: 'Soak: the Worker under steady traffic',
    summary,
    body: `
${num(seconds)} s of steady traffic, three times in one run: against the Worker under wrangler dev, against the same bundle on
workerd alone (Miniflare's API: one workerd process, no wrangler proxy in front), and against a baseline Worker on
workerd alone in the same way. Each second:
${RATE.fresh} new generation (a protocol client follows it to the end: POST, then long-polls; the mock finishes it in 3 s),
${RATE.cached} cache-hit POSTs (${CACHED_SCRIPTS} scripts made beforehand) and ${RATE.reads} status reads of finished tasks.
Production defaults but \`DAILY_GENERATION_LIMIT\` (raised for the run's new videos); every client has its own
\`CF-Connecting-IP\`, so the default rate limit holds. The baseline Worker (bench/baseline-worker) has the same shape and
none of our logic, under traffic of the same shape: each second one POST makes a new Durable Object (a new unique id, as
each new generation makes one new task object in ours), which writes its storage, calls the mock's \`/generate\` and
sets an alarm that polls \`/query_status\` once 3 s later and keeps the finished video in R2, as ours copies it (then
the object is idle); its ${RATE.cached + RATE.reads} other requests a
second read the stored task of one of ${CACHED_SCRIPTS} objects made beforehand, as ours
reach a task's object. The three runs follow each other rather than run side by side: on this 2-core machine two
workerds and their clients would take CPU from each other. The RSS of each workerd process was read from /proc every
${SAMPLE_EVERY_S} s; on workerd alone, each sample right after a full garbage collection in the two isolates every request runs
in (the Worker's, Durable Objects included, and Miniflare's entry Worker), asked for through workerd's own inspector, which
does nothing else (no domain enabled). Without those collections this process's RSS rises with any traffic, a hello-world
Worker's as fast as ours: V8 in workerd leaves each request's garbage to rare major collections (docs/benchmarks.md has the
measurements). After a collection, RSS is what workerd and the Worker keep. Slope: least squares over the samples of the
second half of the run (the first half is warm-up). Judged flat when that slope, kept up for an hour, would add less than
${FLAT_PER_HOUR * 100} % of the starting RSS; ours is judged against the baseline Worker's slope (at most
${(OVER_BASELINE / 1e6).toFixed(1)} MB/min more). The series are under "Raw runs".

${table(['run', 'process', 'start', 'max', 'end', 'slope', 'flat', 'restarts'], rows)}

${traffic.join('\n')}

${wrangler ? wranglerNote(wrangler.drive) : ''}

${miniflare?.worker ? aloneNote(miniflare.worker, miniflare.heap, miniflare.drive) : ''}

${ours && base ? whoseNote(ours, base, baseline!.drive) : ''}
`,
  };
}
