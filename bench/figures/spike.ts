import { startStack } from '../../scripts/lib/stack.js';
import type { MockNavTalk } from '../../src/mock/server.js';
import type { GenerateRequest } from '../../src/protocol/index.js';
import { followTask, viewerIp } from '../../test/e2e/faults-clients.js';
import { naiveFollow } from '../lib/naive-client.js';
import { startNaiveProxy } from '../naive-proxy.js';
import type { BenchContext } from '../lib/context.js';
import { table, type Figure } from '../lib/report.js';
import { median, num, ratio } from '../lib/stats.js';

const ORIGIN = 'http://bench.example';
const VIEWER_TIMEOUT_MS = 60_000;

interface Run {
  generations: number;
  polls: number;
  requestsPerViewer: number;
  done: number;
  medianViewerMs: number;
  /** How the viewers that did not get the video ended, by error code. */
  failures: Record<string, number>;
}

/** Upstream calls the mock saw for one script: its /generate calls and the /query_status calls of its tasks. */
function upstreamCalls(mock: MockNavTalk, content: string): { generations: number; polls: number } {
  const ids = new Set(mock.tasks().filter((t) => t.request.content === content).map((t) => t.task_id));
  return {
    generations: mock.calls.filter((c) => c.path === '/generate' && (c.body as { content?: string }).content === content).length,
    polls: mock.calls.filter((c) => c.path === '/query_status' && ids.has(c.query.task_id ?? '')).length,
  };
}

/**
 * Figure 4: N viewers of one new script arrive at once. Ours: the Worker (production defaults: rate limit 10
 * per minute per address, every viewer with its own CF-Connecting-IP); viewers are HTTP clients running the
 * element's runner. Baseline: a pass-through proxy, with viewers polling every 2 s as NavTalk advises.
 */
export async function spike({ workerConfig, log }: BenchContext, sizes: number[], reps: number): Promise<Figure> {
  const stack = await startStack({ origins: [ORIGIN], config: workerConfig });
  const mock = stack.mock!;
  const naive = await startNaiveProxy(mock.url, mock.license);
  const results: { n: number; ours: Run[]; naive: Run[] }[] = [];
  try {
    for (const n of sizes) {
      const row = { n, ours: [] as Run[], naive: [] as Run[] };
      for (let rep = 0; rep < reps; rep++) {
        for (const kind of ['ours', 'naive'] as const) {
          const content = `Spike ${kind}, ${n} viewers, run ${rep + 1}, at ${Date.now()}.`;
          const body: GenerateRequest = { character_name: 'navtalk.Leo', content, voice: 'echo' };
          const viewers = Array.from({ length: n }, (_, i) =>
            kind === 'ours'
              ? followTask(`${stack.workerUrl}/`, body, { origin: ORIGIN, ip: viewerIp(i + 1) }, VIEWER_TIMEOUT_MS)
              : naiveFollow(naive.url, body, {}, VIEWER_TIMEOUT_MS),
          );
          const outcomes = await Promise.all(viewers);
          const calls = upstreamCalls(mock, content);
          const run: Run = {
            ...calls,
            requestsPerViewer: outcomes.reduce((a, o) => a + o.requests, 0) / n,
            done: outcomes.filter((o) => o.status === 'done').length,
            medianViewerMs: median(outcomes.map((o) => o.ms)),
            failures: {},
          };
          for (const o of outcomes) {
            const code = 'code' in o ? o.code : o.status;
            if (o.status !== 'done') run.failures[code] = (run.failures[code] ?? 0) + 1;
          }
          row[kind].push(run);
          log(`spike ${kind} N=${n} run ${rep + 1}: ${JSON.stringify(run)}`);
        }
      }
      results.push(row);
    }
  } finally {
    await naive.close();
    await stack.stop();
  }

  const med = (runs: Run[], key: Exclude<keyof Run, 'failures'>) => median(runs.map((r) => r[key]));
  const rows = results.map(({ n, ours, naive: base }) => [
    num(n),
    num(med(ours, 'generations')), num(med(base, 'generations')),
    num(med(ours, 'polls')), num(med(base, 'polls')),
    num(med(ours, 'requestsPerViewer'), 1), num(med(base, 'requestsPerViewer'), 1),
    `${num(med(ours, 'done'))} / ${num(med(base, 'done'))}`,
    `${num(med(ours, 'medianViewerMs') / 1000, 1)} s / ${num(med(base, 'medianViewerMs') / 1000, 1)} s`,
  ]);
  const oneGeneration = results.every((r) => r.ours.every((run) => run.generations === 1));
  const polls = results.map((r) => med(r.ours, 'polls'));
  // "Independent of N": the largest spike costs no more polls than a single viewer, give or take one poll of timing.
  const pollsFlat = Math.max(...polls) - Math.min(...polls) <= 1;
  const allDone = results.every((r) => r.ours.every((run) => run.done === r.n));
  const largest = results[results.length - 1]!;
  return {
    title: '4. Cost under a spike',
    summary: [
      {
        figure: `4. upstream generations, ${num(largest.n)} viewers of one new script`,
        ours: num(med(largest.ours, 'generations')),
        baseline: num(med(largest.naive, 'generations')),
        ratio: ratio(med(largest.ours, 'generations'), med(largest.naive, 'generations'), 3),
        goal: '1 generation', met: oneGeneration,
      },
      {
        figure: `4. upstream polls, N = ${sizes.join(', ')}`,
        ours: polls.map((p) => num(p)).join(', '),
        baseline: results.map((r) => num(med(r.naive, 'polls'))).join(', '),
        ratio: ratio(med(largest.ours, 'polls'), med(largest.naive, 'polls'), 4),
        goal: 'independent of N', met: pollsFlat,
      },
    ],
    body: `
N viewers ask for the same new script at the same instant; the NavTalk mock counts the upstream calls.
Medians over ${reps} runs per N (a new script each run). Mock timing: NavTalk's defaults here (processing after 2 s,
done after 8 s). The Worker runs with its production defaults (the adaptive upstream poll schedule, rate limit 10 new
videos per minute per address, daily limit 100).

- **Viewers** are not browsers: they are HTTP clients in one Node process that run the element's own task runner
  (src/client, via test/e2e/faults-clients.ts), so they follow the protocol exactly as the element does (one POST,
  then long-polls). Each sends its own \`CF-Connecting-IP\` (wrangler dev passes it through), as distinct visitors
  would, so the rate limit stays at its default.
- **Baseline**: bench/naive-proxy.ts, a pass-through proxy that adds the key and forwards each POST to \`/generate\`
  and each GET to \`/query_status\`; its viewers poll every 2 s (NavTalk's advice).

${table(
  ['N', 'generations (ours)', 'generations (naive)', 'upstream polls (ours)', 'upstream polls (naive)', 'requests per viewer (ours)', 'requests per viewer (naive)', 'viewers done (ours / naive)', 'median time to done (ours / naive)'],
  rows,
)}

${oneGeneration ? 'Every spike cost one generation, whatever N: identical requests share one task (one Durable Object per task id, single-flight start).' : '**Missed**: some spike cost more than one generation (see the runs above).'}
${pollsFlat ? `Upstream polls stay at ${polls.map((p) => num(p)).join(', ')} for N = ${sizes.join(', ')}: the Durable Object polls NavTalk once per interval for everyone, and viewers wait in long-polls on it.` : '**Missed**: upstream polls grew with N.'}
${allDone ? 'Every viewer of every run ended with the video.' : `**Not every viewer ended with the video**: ${results.flatMap((r) => r.ours.flatMap((run, i) => Object.keys(run.failures).length ? [`N = ${num(r.n)}, run ${i + 1}: ${Object.entries(run.failures).map(([code, count]) => `${count} ${code}`).join(', ')}`] : [])).join('; ')} (error codes of the element's runner).`}
`,
  };
}
