import { spawn } from 'node:child_process';
import { startNodeStack } from '../../scripts/lib/node-proxy.js';
import { freePort, stopGroup, waitForHttp } from '../../scripts/lib/stack.js';
import type { GenerateRequest } from '../../src/protocol/index.js';
import { followTask, viewerIp } from '../../test/e2e/faults-clients.js';
import type { BenchContext } from '../lib/context.js';
import { table, type Figure } from '../lib/report.js';
import { median, ms, num, ratio } from '../lib/stats.js';
import { cannon, type Load } from './throughput.js';

const ORIGIN = 'http://bench.example';
const PROCESSES = 4;

/** bench/hello-node.ts in its own process. */
async function helloNode() {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('../hello-node.ts', import.meta.url).pathname], {
    detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: String(port) },
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}/`;
  await waitForHttp(url, child, () => output, 30_000, 'the hello-world server');
  return { url, stop: () => stopGroup(child) };
}

/**
 * Figure 9: the proxy as the Node server of examples/node-server on Redis (a local redis-server): cache hits per
 * second beside a hello-world node:http server, and N viewers of one new script spread over four processes.
 */
export async function nodeRedis({ log }: BenchContext, seconds: number, reps: number, viewers: number): Promise<Figure> {
  // Process 0 as deployed (repeats of a done answer from memory for a second); process 1 with that off, so that
  // every hit goes through the portable handler and Redis.
  const stack = await startNodeStack({
    origins: [ORIGIN], processes: PROCESSES, vars: { RATE_LIMIT_PER_MINUTE: '10' }, processVars: [{}, { REUSE_DONE_ANSWERS_MS: '0' }],
  });
  const hello = await helloNode();
  try {
    const mock = stack.mock;
    mock.configure({ timing: { processingAfterMs: 100, doneAfterMs: 500 } });
    const cached: GenerateRequest = { character_name: 'navtalk.Leo', content: 'A cached line for the Node throughput benchmark.', voice: 'echo' };
    const primed = await followTask(`${stack.workerUrl}/`, cached, { origin: ORIGIN }, 30_000);
    if (primed.status !== 'done') throw new Error(`could not prime the cache: ${JSON.stringify(primed)}`);
    const post = (url: string) => ({ url: `${url}/`, method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify(cached) });
    const targets = { post: post(stack.proxies[0]!.url), handler: post(stack.proxies[1]!.url), hello: { url: hello.url } } as const;
    for (const target of Object.values(targets)) await cannon(target, 2);
    const loads: Record<keyof typeof targets, Load[]> = { post: [], handler: [], hello: [] };
    for (let rep = 0; rep < reps; rep++) {
      for (const key of Object.keys(targets) as (keyof typeof targets)[]) {
        const load = await cannon(targets[key], seconds);
        loads[key].push(load);
        log(`node-redis throughput ${key} run ${rep + 1}: ${JSON.stringify(load)}`);
      }
    }
    const m = (key: keyof typeof targets, field: keyof Load) => median(loads[key].map((l) => l[field]));
    const failures = (key: keyof typeof targets) => loads[key].reduce((a, l) => a + l.non2xx + l.errors, 0);
    const rate = m('post', 'rps') / m('hello', 'rps');

    // The spike: every viewer with its own address (the default rate limit holds), round-robin over the processes.
    mock.configure({ timing: { processingAfterMs: 2000, doneAfterMs: 8000 } });
    const content = `Node spike, ${viewers} viewers, at ${Date.now()}.`;
    const body: GenerateRequest = { character_name: 'navtalk.Leo', content, voice: 'echo' };
    const outcomes = await Promise.all(Array.from({ length: viewers }, (_, i) =>
      followTask(`${stack.proxies[i % PROCESSES]!.url}/`, body, { origin: ORIGIN, ip: viewerIp(i + 1) }, 60_000)));
    const ids = new Set(mock.tasks().filter((t) => t.request.content === content).map((t) => t.task_id));
    const generations = mock.calls.filter((c) => c.path === '/generate' && (c.body as { content?: string }).content === content).length;
    const polls = mock.calls.filter((c) => c.path === '/query_status' && ids.has(c.query.task_id ?? '')).length;
    const done = outcomes.filter((o) => o.status === 'done').length;
    const failed: Record<string, number> = {};
    for (const o of outcomes) if (o.status === 'failed') failed[o.code] = (failed[o.code] ?? 0) + 1;
    const spikeMet = generations === 1 && done === viewers;
    log(`node-redis spike: ${JSON.stringify({ viewers, generations, polls, done, failed, medianMs: median(outcomes.map((o) => o.ms)) })}`);

    return {
      title: '9. The proxy on Node and Redis',
      summary: [
        {
          figure: '9. Node server on Redis: cache-hit POSTs per second (p50 / p99)',
          ours: `${num(m('post', 'rps'))} req/s (${ms(m('post', 'p50'))} / ${ms(m('post', 'p99'))})`,
          baseline: `${num(m('hello', 'rps'))} req/s (hello-world node:http)`,
          ratio: ratio(m('post', 'rps'), m('hello', 'rps')),
          goal: '>= 0.5x', met: rate >= 0.5 && failures('post') === 0,
        },
        {
          figure: `9. Node servers on Redis: generations for ${num(viewers)} viewers of one new script over ${PROCESSES} processes`,
          ours: num(generations), baseline: `${num(viewers)} (one per viewer without coordination)`,
          ratio: ratio(generations, viewers, 4), goal: '1 generation', met: spikeMet,
        },
      ],
      body: `
The proxy as examples/node-server (plain node:http, the portable handler, the task store, budget and rate limiter of
\`navtalk-avatar/proxy/redis\` through ioredis) on a local redis-server, ${PROCESSES} processes, in front of the NavTalk mock.

**Throughput**: autocannon (its own process) on loopback, 32 connections, ${seconds} s per run, ${reps} runs per target
alternating, medians. Ours: one server process answering the element's cache hit (\`POST /\` of a script whose video is
made), as deployed: \`nodeListener\` answers a repeat of a \`done\` answer (the same URL, Origin, Content-Type and
body bytes, which is what every viewer of one page sends) from the process's memory for a second
(\`reuseDoneAnswersMs\`, REUSE_DONE_ANSWERS_MS), so that at most one hit a second per process and script goes through
the portable handler (a Web Request, body validation, the task id, the record read from Redis). Beside it, a process
with that off (REUSE_DONE_ANSWERS_MS=0): every hit through the handler and Redis. Baseline: bench/hello-node.ts, a
node:http server answering a fixed JSON body, also one process.

${table(['target', 'requests/s', 'p50', 'p99', 'non-2xx + errors', 'vs hello world'], [
  ['cache-hit POST, Node server on Redis (as deployed)', num(m('post', 'rps')), ms(m('post', 'p50')), ms(m('post', 'p99')), num(failures('post')), ratio(m('post', 'rps'), m('hello', 'rps'))],
  ['cache-hit POST, every hit through the handler (REUSE_DONE_ANSWERS_MS=0)', num(m('handler', 'rps')), ms(m('handler', 'p50')), ms(m('handler', 'p99')), num(failures('handler')), ratio(m('handler', 'rps'), m('hello', 'rps'))],
  ['hello-world node:http', num(m('hello', 'rps')), ms(m('hello', 'p50')), ms(m('hello', 'p99')), num(failures('hello')), '1x'],
])}

${rate >= 0.5 ? `As deployed, a cache hit runs at ${ratio(m('post', 'rps'), m('hello', 'rps'))} of the hello-world rate: the goal (>= 0.5x) is met.` : `**Missed** (${ratio(m('post', 'rps'), m('hello', 'rps'))} < 0.5x), see the handler path below.`}
Through the handler, a hit costs about ${num(1e6 / m('handler', 'rps'))} µs of a core against ${num(1e6 / m('hello', 'rps'))} µs for the hello world (two cores shared with the load generator and redis-server): a CPU profile puts the time in undici's Request and AbortSignal construction, header conversion and garbage collection rather than in Redis (a hit is one Redis read without a lock, task ids are remembered per script, and small JSON bodies and answers skip Web streams). A repeat answered from memory skips all of that: the body is read and compared as bytes, and the kept status, headers and JSON written back. What it gives up: a result deleted or remade is seen up to a second later by that process; a recheck (\`?recheck=1\`) and any other bytes always reach the handler.

**Spike**: ${num(viewers)} viewers (HTTP clients running the element's task runner, each with its own address) ask for
the same new script at once, spread round-robin over the ${PROCESSES} processes; NavTalk's default timing (done after 8 s).
${num(generations)} generation${generations === 1 ? '' : 's'}, ${num(polls)} upstream polls, ${num(done)} of ${num(viewers)} viewers ended with the video${Object.keys(failed).length ? ` (the others: ${Object.entries(failed).map(([c, n]) => `${n} ${c}`).join(', ')})` : ''}.
${spikeMet ? 'One generation for all: the start lock in Redis makes the processes one proxy.' : '**Missed**: see the numbers above.'}
`,
    };
  } finally {
    await hello.stop();
    await stack.stop();
  }
}
