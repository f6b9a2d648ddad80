import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startStack, type Stack } from '../../scripts/lib/stack.js';
import { followTask } from '../../test/e2e/faults-clients.js';
import type { BenchContext } from '../lib/context.js';
import { table, type Figure } from '../lib/report.js';
import { median, ms, num, ratio } from '../lib/stats.js';

const ORIGIN = 'http://bench.example';
const AUTOCANNON = new URL('../../node_modules/.bin/autocannon', import.meta.url).pathname;
const CONNECTIONS = 32;

export interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

export interface Target {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One autocannon run in its own process (so the load generator does not share the bench's event loop). */
export async function cannon(request: Target, seconds: number): Promise<Load> {
  const args = [request.url, '-c', String(CONNECTIONS), '-d', String(seconds), '--json', '-n', '-m', request.method ?? 'GET'];
  for (const [k, v] of Object.entries(request.headers ?? {})) args.push('-H', `${k}=${v}`);
  if (request.body) args.push('-b', request.body);
  const { stdout } = await promisify(execFile)(AUTOCANNON, args, { maxBuffer: 16 * 1024 * 1024, timeout: (seconds + 30) * 1000 });
  const r = JSON.parse(stdout) as { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

/**
 * Figure 5: cache hits per second on the Worker (a POST of a script whose video is done: it answers `done` at
 * once), beside a hello-world Worker on the same workerd under the same wrangler dev, with autocannon on loopback.
 */
export async function throughput({ workerConfig, log }: BenchContext, seconds: number, reps: number): Promise<Figure> {
  const stacks: Stack[] = [];
  try {
    const ours = await startStack({ origins: [ORIGIN], config: workerConfig });
    stacks.push(ours);
    const hello = await startStack({ config: 'bench/hello-worker/wrangler.jsonc' });
    stacks.push(hello);
    ours.mock!.configure({ timing: { processingAfterMs: 100, doneAfterMs: 500 } });
    const body = { character_name: 'navtalk.Leo', content: 'A cached line for the throughput benchmark.', voice: 'echo' } as const;
    const primed = await followTask(`${ours.workerUrl}/`, body, { origin: ORIGIN }, 30_000);
    if (primed.status !== 'done') throw new Error(`could not prime the cache: ${JSON.stringify(primed)}`);
    const targets: Record<'post' | 'get' | 'hello', Target> = {
      post: { url: `${ours.workerUrl}/`, method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify(body) },
      get: { url: `${ours.workerUrl}/?task_id=${primed.taskId}`, headers: { origin: ORIGIN } },
      hello: { url: `${hello.workerUrl}/` },
    };
    const keys = Object.keys(targets) as (keyof typeof targets)[];
    // Warm every isolate and Durable Object first; then alternate, so drift in the machine's load hits all alike.
    for (const key of keys) await cannon(targets[key], 2);
    const loads: Record<keyof typeof targets, Load[]> = { post: [], get: [], hello: [] };
    for (let rep = 0; rep < reps; rep++) {
      for (const key of keys) {
        const load = await cannon(targets[key], seconds);
        loads[key].push(load);
        log(`throughput ${key} run ${rep + 1}: ${JSON.stringify(load)}`);
      }
    }
    const m = (key: keyof typeof targets, field: keyof Load) => median(loads[key].map((l) => l[field]));
    const failures = (key: keyof typeof targets) => loads[key].reduce((a, l) => a + l.non2xx + l.errors, 0);
    const postRatio = m('post', 'rps') / m('hello', 'rps');
    const row = (label: string, key: keyof typeof targets) =>
      [label, num(m(key, 'rps')), ms(m(key, 'p50')), ms(m(key, 'p99')), num(failures(key)), key === 'hello' ? '1x' : ratio(m(key, 'rps'), m('hello', 'rps'))];
    return {
      title: '5. Throughput',
      summary: [{
        figure: '5. cache-hit POSTs per second (p50 / p99)',
        ours: `${num(m('post', 'rps'))} req/s (${ms(m('post', 'p50'))} / ${ms(m('post', 'p99'))})`,
        baseline: `${num(m('hello', 'rps'))} req/s (${ms(m('hello', 'p50'))} / ${ms(m('hello', 'p99'))})`,
        ratio: ratio(m('post', 'rps'), m('hello', 'rps')),
        goal: '>= 0.5x', met: postRatio >= 0.5 && failures('post') === 0,
      }],
      body: `
autocannon (its own process) on loopback, ${CONNECTIONS} connections, ${seconds} s per run, ${reps} runs per target
alternating, medians of the runs (requests per second: autocannon's mean over the run; latency: its p50 and p99).
Every target was warmed for 2 s first. The cache hit is the element's own request for a script whose video is already
made: \`POST /\` with the JSON body and an allowed \`Origin\`, answered \`done\` with the \`video_url\` (it parses and
validates the body, derives the HMAC task id and asks the task's Durable Object). The baseline is
bench/hello-worker, a Worker that returns a fixed JSON body, under the same wrangler dev (the same workerd: wrangler's
proxy in front, then the Worker's own workerd). The status read of a finished task (\`GET /?task_id=\`) is shown too.

${table(['target', 'requests/s', 'p50', 'p99', 'non-2xx + errors', 'vs hello world'], [
  row('cache-hit POST (ours)', 'post'),
  row('GET of a done task (ours)', 'get'),
  row('hello-world Worker', 'hello'),
])}

${postRatio >= 0.5
  ? `A cache hit runs at ${ratio(m('post', 'rps'), m('hello', 'rps'))} of the hello-world rate: the goal (>= 0.5x) is met.`
  : `**Missed** (${ratio(m('post', 'rps'), m('hello', 'rps'))} < 0.5x). Why: a cache hit is a Worker request plus a Durable Object call (an RPC into the task's object and a storage read), while hello world is one isolate answering a constant; under wrangler dev the object runs in the same single workerd process, so the extra hop is paid in the same CPU. What would close it: answering repeat hits from the Worker isolate itself (an in-isolate map of finished task ids to their state, or the Cache API keyed by task id) so only the first hit per isolate reaches the Durable Object.`}
`,
    };
  } finally {
    for (const stack of stacks.reverse()) await stack.stop();
  }
}
