import { startStack } from '../../scripts/lib/stack.js';
import type { MockNavTalk } from '../../src/mock/server.js';
import type { GenerateRequest } from '../../src/protocol/index.js';
import { followTask, viewerIp, type ViewerOutcome } from '../../test/e2e/faults-clients.js';
import type { BenchContext } from '../lib/context.js';
import { IsolateSession } from '../lib/inspector.js';
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

type Role = 'worker' | 'proxy';

interface Target {
  label: string;
  workerUrl: string;
  mock: MockNavTalk;
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
  outcomes: ViewerOutcome[];
  requests: number;
  failedRequests: number;
  /** Seconds into the soak when the Worker's workerd disappeared, if it did. */
  lostAt?: number;
}

const script = (content: string): GenerateRequest => ({ character_name: 'navtalk.Leo', content, voice: 'echo' });

/** Steady traffic for `seconds` against one target, sampling its workerd RSS every 10 s. Bounded in time and count. */
async function drive(target: Target, seconds: number, log: (line: string) => void): Promise<Drive> {
  const endpoint = `${target.workerUrl}/`;
  target.mock.configure({ timing: { processingAfterMs: 500, doneAfterMs: 3000 } });
  const result: Drive = { samples: [], uncollected: 0, outcomes: [], requests: 0, failedRequests: 0 };
  let viewer = 0;
  // The scripts the cache hits ask for, and the finished tasks the reads ask about.
  const primed = await Promise.all(Array.from({ length: CACHED_SCRIPTS }, (_, i) =>
    followTask(endpoint, script(`Soak cached script ${i}.`), { origin: ORIGIN, ip: viewerIp(++viewer) }, 30_000)));
  const done = primed.flatMap((o) => (o.status === 'done' ? [o.taskId] : []));
  if (done.length !== CACHED_SCRIPTS) throw new Error(`could not prime the soak's cache: ${JSON.stringify(primed)}`);

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
  const call = async (url: string, init: RequestInit) => {
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
      const ip = viewerIp(++viewer);
      const run = followTask(endpoint, script(`Soak new script ${viewer} at ${Date.now()}.`), { origin: ORIGIN, ip }, 60_000)
        .then((o) => { result.outcomes.push(o); result.requests += o.requests; });
      running.add(run);
      void run.finally(() => running.delete(run));
    }
    const tick: Promise<void>[] = [];
    for (let i = 0; i < RATE.cached; i++) {
      tick.push(call(endpoint, {
        method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json', 'cf-connecting-ip': viewerIp(++viewer) },
        body: JSON.stringify(script(`Soak cached script ${(second * RATE.cached + i) % CACHED_SCRIPTS}.`)),
      }));
    }
    for (let i = 0; i < RATE.reads; i++) tick.push(call(`${endpoint}?task_id=${done[(second + i) % done.length]}`, { headers: { origin: ORIGIN } }));
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

/**
 * The soak: the same steady traffic (new generations followed to the end by protocol clients, cache-hit POSTs,
 * status reads) for `seconds`, first against the Worker under wrangler dev, then against the same bundle on
 * workerd alone (Miniflare), with the RSS of the workerd processes sampled every 10 s (on workerd alone, each
 * sample right after a full garbage collection of the isolates that serve the requests).
 */
export async function soak({ workerConfig, log }: BenchContext, seconds: number): Promise<Figure> {
  const stack = await startStack({ origins: [ORIGIN], config: workerConfig, vars: VARS });
  const underWrangler: Target = {
    label: 'wrangler dev', workerUrl: stack.workerUrl, mock: stack.mock!,
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
  const bare = await startBareWorker(workerConfig, [ORIGIN], VARS, { inspect: true });
  const sessions: IsolateSession[] = [];
  try {
    // Every request runs in these two: the Worker's isolate (its Durable Objects too) and Miniflare's entry Worker.
    for (const id of [/^core:user:/, /^core:entry$/]) sessions.push(await IsolateSession.open(bare.inspector!, id));
    const [worker] = sessions;
    const alone: Target = {
      label: 'workerd alone (Miniflare)', workerUrl: bare.workerUrl, mock: bare.mock,
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
    runs.push({ target: alone, drive: await drive(alone, seconds, log) });
  } finally {
    for (const session of sessions) session.close();
    await bare.stop();
  }

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
  const summary: SummaryRow[] = judged.map(({ target, drive: d, worker }) => ({
    figure: `soak ${Math.round(seconds / 60)} min, the Worker's workerd RSS${target.collect ? ' after a full GC' : ''} (start / max / end), ${target.label}`,
    ours: `${worker ? `${MB(worker.start)} / ${MB(worker.max)} / ${MB(worker.end)}` : 'n/a'}${d.lostAt !== undefined ? ` (wrangler dev exited after ${d.lostAt} s)` : ''}`,
    baseline: '', ratio: worker && d.lostAt === undefined ? `slope ${perMin(worker)}` : 'n/a',
    goal: 'flat', met: worker !== undefined && worker.flat && d.lostAt === undefined,
  }));
  const rows = judged.flatMap(({ target, drive: d, worker, proxy }) => [worker, proxy].flatMap((s) => s ? [[
    target.label,
    s.role === 'worker' ? "the Worker's workerd (Worker, Durable Objects)" : "wrangler dev's proxy workerd in front",
    MB(s.start), MB(s.max), MB(s.end),
    ...(d.lostAt === undefined ? [perMin(s), s.flat ? 'yes' : '**no**'] : [`stopped at ${d.lostAt} s`, 'n/a']),
    String(s.restarts),
  ]] : []));
  const traffic = judged.map(({ target, drive: d }) => {
    const failed = d.outcomes.filter((o) => o.status === 'failed');
    const codes = [...new Set(failed.map((o) => (o.status === 'failed' ? o.code : '')))].join(', ');
    return `- ${target.label}: ${num(d.requests)} requests; ${num(d.outcomes.length - failed.length)} of ${num(d.outcomes.length)} new generations ended done${failed.length ? `, ${failed.length} failed (${codes})` : ''}; ${num(d.failedRequests)} cache-hit or status requests failed${target.collect ? `; ${d.uncollected} of ${d.samples.length} samples without a confirmed collection` : ''}${d.lostAt !== undefined ? `; **the Worker's workerd was gone after ${d.lostAt} s** (wrangler dev exited), so this run stopped there` : ''}.`;
  });
  const [wrangler, miniflare] = judged;
  return {
    title: 'Soak: the Worker under steady traffic',
    summary,
    body: `
${num(seconds)} s of the same steady traffic twice: against the Worker under wrangler dev, then against the same bundle on
workerd alone (Miniflare's API: one workerd process, no wrangler proxy in front). Each second:
${RATE.fresh} new generation (a protocol client follows it to the end: POST, then long-polls; the mock finishes it in 3 s),
${RATE.cached} cache-hit POSTs (${CACHED_SCRIPTS} scripts made beforehand) and ${RATE.reads} status reads of finished tasks.
Production defaults but \`DAILY_GENERATION_LIMIT\` (raised for the run's new videos); every client has its own
\`CF-Connecting-IP\`, so the default rate limit holds. The RSS of each workerd process was read from /proc every
${SAMPLE_EVERY_S} s; on workerd alone, each sample right after a full garbage collection in the two isolates every request runs
in (the Worker's, Durable Objects included, and Miniflare's entry Worker), asked for through workerd's own inspector, which
does nothing else (no domain enabled). Without those collections this process's RSS rises with any traffic, a hello-world
Worker's as fast as ours: V8 in workerd leaves each request's garbage to rare major collections (docs/benchmarks.md has the
measurements). After a collection, RSS is what workerd and the Worker keep. Slope: least squares over the samples of the
second half of the run (the first half is warm-up). Judged flat when that slope, kept up for an hour, would add less than
${FLAT_PER_HOUR * 100} % of the starting RSS. The series are under "Raw runs".

${table(['run', 'process', 'start', 'max', 'end', 'slope', 'flat', 'restarts'], rows)}

${traffic.join('\n')}

${wrangler ? wranglerNote(wrangler.drive) : ''}

${miniflare?.worker ? aloneNote(miniflare.worker, miniflare.heap, miniflare.drive) : ''}
`,
  };
}
