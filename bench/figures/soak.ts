import { startStack } from '../../scripts/lib/stack.js';
import type { GenerateRequest } from '../../src/protocol/index.js';
import { followTask, viewerIp, type ViewerOutcome } from '../../test/e2e/faults-clients.js';
import type { BenchContext } from '../lib/context.js';
import { table, type Figure } from '../lib/report.js';
import { rssBytes, workerdProcesses, type Workerd } from '../lib/rss.js';
import { MB, num, slope, sleep } from '../lib/stats.js';

const ORIGIN = 'http://bench.example';
const SAMPLE_EVERY_S = 10;
/** Per second: new generations, cache-hit POSTs, status reads of finished tasks. */
const RATE = { fresh: 1, cached: 10, reads: 10 };
const CACHED_SCRIPTS = 20;
/** Growth that still counts as flat: the least-squares slope after warm-up, projected over an hour, below this share of the start. */
const FLAT_PER_HOUR = 0.1;
const WARMUP_S = 60;

const script = (content: string): GenerateRequest => ({ character_name: 'navtalk.Leo', content, voice: 'echo' });

/**
 * The soak: steady traffic for `seconds` (new generations followed to the end by protocol clients, cache-hit POSTs,
 * status reads) against the Worker, with the RSS of its workerd processes sampled every 10 s.
 */
export async function soak({ workerConfig, log }: BenchContext, seconds: number): Promise<Figure> {
  const stack = await startStack({ origins: [ORIGIN], config: workerConfig, vars: { DAILY_GENERATION_LIMIT: '1000000' } });
  const endpoint = `${stack.workerUrl}/`;
  stack.mock!.configure({ timing: { processingAfterMs: 500, doneAfterMs: 3000 } });
  const samples: Sample[] = [];
  const outcomes: ViewerOutcome[] = [];
  let requests = 0;
  let failedRequests = 0;
  let viewer = 0;
  try {
    // The scripts the cache hits ask for, and the finished tasks the reads ask about.
    const primed = await Promise.all(Array.from({ length: CACHED_SCRIPTS }, (_, i) =>
      followTask(endpoint, script(`Soak cached script ${i}.`), { origin: ORIGIN, ip: viewerIp(++viewer) }, 30_000)));
    const done = primed.flatMap((o) => (o.status === 'done' ? [o.taskId] : []));
    if (done.length !== CACHED_SCRIPTS) throw new Error(`could not prime the soak's cache: ${JSON.stringify(primed)}`);

    const start = Date.now();
    // Looked up at every sample: a workerd that wrangler restarted shows up as a new pid (and is reported).
    const sample = () => {
      const found = workerdProcesses(stack.workerGroup);
      const of = (role: Workerd['role']) => found.find((p) => p.role === role);
      const worker = of('worker');
      const proxy = of('proxy');
      if (!worker || !proxy) throw new Error(`the workerd processes of wrangler's group ${stack.workerGroup} are gone`);
      samples.push({ t: (Date.now() - start) / 1000, worker: { pid: worker.pid, rss: rssBytes(worker.pid) }, proxy: { pid: proxy.pid, rss: rssBytes(proxy.pid) } });
    };
    sample();
    const running = new Set<Promise<void>>();
    const call = async (url: string, init: RequestInit) => {
      requests++;
      try {
        const response = await fetch(url, init);
        await response.arrayBuffer();
        if (!response.ok) failedRequests++;
      } catch {
        failedRequests++;
      }
    };
    for (let second = 1; second <= seconds; second++) {
      const tickEnd = start + second * 1000;
      for (let i = 0; i < RATE.fresh; i++) {
        const ip = viewerIp(++viewer);
        const run = followTask(endpoint, script(`Soak new script ${viewer} at ${Date.now()}.`), { origin: ORIGIN, ip }, 60_000)
          .then((o) => { outcomes.push(o); requests += o.requests; });
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
      if (second % SAMPLE_EVERY_S === 0) sample();
      await sleep(Math.max(0, tickEnd - Date.now()));
    }
    await Promise.all(running);
    sample();
  } finally {
    await stack.stop();
  }
  return report(seconds, samples, outcomes, requests, failedRequests, log);
}

interface Sample {
  t: number;
  worker: { pid: number; rss: number };
  proxy: { pid: number; rss: number };
}

function report(seconds: number, samples: Sample[], outcomes: ViewerOutcome[], requests: number, failedRequests: number, log: (line: string) => void): Figure {
  const series = (['worker', 'proxy'] as const).map((role) => {
    // A restarted workerd starts a new series: judge the last one (and say so).
    const restarts = samples.filter((s, i) => i > 0 && s[role].pid !== samples[i - 1]![role].pid).length;
    const last = samples.filter((s) => s[role].pid === samples.at(-1)![role].pid);
    const ys = last.map((s) => s[role].rss);
    const t0 = last[0]!.t;
    const after = last.filter((s) => s.t - t0 >= Math.min(WARMUP_S, seconds / 2));
    const perS = slope(after.map((s) => s.t), after.map((s) => s[role].rss));
    const start = ys[0]!;
    const flat = perS * 3600 <= FLAT_PER_HOUR * start;
    log(`soak workerd ${role} RSS series (MB, every ${SAMPLE_EVERY_S} s): ${samples.map((s) => (s[role].rss / 1e6).toFixed(1)).join(' ')}`);
    return { role, restarts, start, max: Math.max(...ys), end: ys.at(-1)!, perMin: perS * 60, flat };
  });
  const worker = series.find((s) => s.role === 'worker')!;
  const done = outcomes.filter((o) => o.status === 'done').length;
  const failed = outcomes.filter((o) => o.status === 'failed');
  const failureCodes = [...new Set(failed.map((o) => o.status === 'failed' ? o.code : ''))].join(', ');
  return {
    title: 'Soak: the Worker under steady traffic',
    summary: [{
      figure: `soak ${Math.round(seconds / 60)} min: Worker's workerd RSS (start / max / end)`,
      ours: `${MB(worker.start)} / ${MB(worker.max)} / ${MB(worker.end)}`,
      baseline: '', ratio: `${worker.perMin >= 0 ? '+' : ''}${(worker.perMin / 1e6).toFixed(2)} MB/min`,
      goal: 'flat', met: worker.flat,
    }],
    body: `
${num(seconds)} s of steady traffic against the Worker (wrangler dev; production defaults but
\`DAILY_GENERATION_LIMIT\`, raised for the run's ${num(outcomes.length)} new videos; every client has its own \`CF-Connecting-IP\`,
so the default rate limit holds): each second ${RATE.fresh} new generation (a protocol client follows it to the end:
POST, then long-polls; the mock finishes it in 3 s), ${RATE.cached} cache-hit POSTs (${CACHED_SCRIPTS} scripts made
beforehand) and ${RATE.reads} status reads of finished tasks. The RSS of wrangler dev's workerd processes was
sampled every ${SAMPLE_EVERY_S} s (${samples.length} samples) from /proc. Slope: least squares over the samples after the first
${Math.min(WARMUP_S, seconds / 2)} s. Judged flat when that slope, kept up for an hour, would add less than
${FLAT_PER_HOUR * 100} % of the starting RSS.

${table(['process', 'start', 'max', 'end', 'slope', 'flat', 'restarts'], series.map((s) => [
  s.role === 'worker' ? 'workerd running the Worker and its Durable Objects' : "wrangler dev's proxy workerd in front",
  MB(s.start), MB(s.max), MB(s.end), `${(s.perMin / 1e6).toFixed(2)} MB/min`, s.flat ? 'yes' : '**no**', String(s.restarts),
]))}
${series.some((s) => s.restarts) ? '\nA workerd was restarted during the soak (wrangler reloads on a change): its figures are over its last series only.\n' : ''}

Traffic: ${num(requests)} requests; ${num(done)} of ${num(outcomes.length)} new generations ended done${failed.length ? `, ${failed.length} failed (${failureCodes})` : ''};
${num(failedRequests)} cache-hit or status requests failed.
${worker.flat ? '' : `**Not flat.** The Worker's workerd grew by ${(worker.perMin / 1e6).toFixed(2)} MB/min after warm-up. Every new script makes a Durable Object that keeps its result for RESULT_TTL_SECONDS (a day); if workerd keeps those objects, or their SQLite pages, resident, memory grows with the number of distinct scripts rather than with traffic. What would close it: check whether the growth stops once idle objects are evicted (a longer soak), and keep finished results out of per-task objects' memory.`}
`,
  };
}
