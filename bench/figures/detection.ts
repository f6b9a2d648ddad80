import { startStack } from '../../scripts/lib/stack.js';
import type { MockNavTalk } from '../../src/mock/server.js';
import { serveSite } from '../../test/e2e/support.js';
import { freshPage, probe } from '../lib/browser.js';
import { NAIVE_POLL_MS } from '../lib/naive-client.js';
import { BENCH_PAGES } from '../lib/pages.js';
import type { BenchContext } from '../lib/context.js';
import { table, type Figure } from '../lib/report.js';
import { median, ms, num, percentile, ratio, sleep } from '../lib/stats.js';
import { workerDefaults } from '../lib/freeze.js';

/** Tasks finish between 24 and 26 s after NavTalk accepted them: a 25 s task, at a random phase of the Worker's polls. */
const TASK_MS = 24_000;
const TASK_SPREAD_MS = 2_000;
const ORIGINAL_TIMING = { processingAfterMs: 2000, doneAfterMs: 3_600_000 };

interface Ended { content: string; doneAt?: number; requests?: number; error?: string }
interface Sample { latency: number; requests: number; upstreamPolls: number }

/**
 * Finishes each task of this run on the mock (mock.complete) at a random instant 24-26 s after it was created,
 * and keeps the instant. Polls the mock's in-process task list; stops when told.
 */
function completer(mock: MockNavTalk, stamp: string) {
  const scheduled = new Set<string>();
  const timers: NodeJS.Timeout[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const task of mock.tasks()) {
        if (scheduled.has(task.task_id) || !String(task.request.content).includes(stamp)) continue;
        scheduled.add(task.task_id);
        const at = task.created_at + TASK_MS + Math.random() * TASK_SPREAD_MS;
        timers.push(setTimeout(() => mock.complete(task.task_id), Math.max(0, at - Date.now())));
      }
      await sleep(20);
    }
  })();
  return async () => {
    running = false;
    await loop;
    timers.forEach(clearTimeout);
  };
}

/** One round: k elements and k naive clients at once, each on its own page, on a new script each. */
async function round(ctx: BenchContext, siteOrigin: string, mock: MockNavTalk, endpoint: string, k: number): Promise<{ ours: Sample[]; naive: Sample[] }> {
  const stamp = `run ${Date.now()}`;
  const stop = completer(mock, stamp);
  const pages = await Promise.all(Array.from({ length: 2 * k }, () => freshPage(ctx.browser, `${siteOrigin}/bench.html`)));
  try {
    const viewers = pages.map(({ page }, i) => {
      const content = `Detection, ${i < k ? 'ours' : 'naive'} ${i % k}, ${stamp}.`;
      return i < k
        ? probe<Ended>(page, 'detectAvatar', { endpoint, content })
        : probe<Ended>(page, 'detectNaive', { endpoint, content, naivePollMs: NAIVE_POLL_MS, deadlineMs: 90_000 });
    });
    const ended = await Promise.all(viewers);
    const tasks = mock.tasks();
    const samples = (list: Ended[]): Sample[] => list.map((e) => {
      const task = tasks.find((t) => t.request.content === e.content);
      if (e.error || !task?.done_at || e.doneAt === undefined) throw new Error(`detection run failed: ${JSON.stringify(e)}`);
      const upstreamPolls = mock.calls.filter((c) => c.path === '/query_status' && c.query.task_id === task.task_id).length;
      return { latency: e.doneAt - task.done_at, requests: e.requests!, upstreamPolls };
    });
    return { ours: samples(ended.slice(0, k)), naive: samples(ended.slice(k)) };
  } finally {
    await stop();
    await Promise.all(pages.map(({ context }) => context.close()));
  }
}

async function measure(ctx: BenchContext, interval: string | undefined, k: number, rounds: number) {
  const site = await serveSite(BENCH_PAGES, ctx.bundle);
  // Browsers cannot set CF-Connecting-IP, so every page shares one address: the rate limit is raised (not off) for these new videos.
  const stack = await startStack({ origins: [site.origin], config: ctx.workerConfig, vars: { RATE_LIMIT_PER_MINUTE: '1000', ...(interval ? { UPSTREAM_POLL_INTERVAL_MS: interval } : {}) } });
  const mock = stack.mock!;
  mock.configure({ timing: ORIGINAL_TIMING });
  try {
    const result = { ours: [] as Sample[], naive: [] as Sample[] };
    for (let r = 0; r < rounds; r++) {
      const one = await round(ctx, site.origin, mock, `${stack.workerUrl}/`, k);
      result.ours.push(...one.ours);
      result.naive.push(...one.naive);
      ctx.log(`detection interval=${interval ?? 'default'} round ${r + 1}: ${JSON.stringify(one)}`);
    }
    return result;
  } finally {
    await stack.stop();
    await site.close();
  }
}

/**
 * Figure 3: from NavTalk's `done` to the element's `done`, and the element's requests per video, for 25 s tasks,
 * beside a naive client polling every 2 s against the same Worker. At the Worker's default poll interval, and,
 * if that misses the goal, at a tuned one.
 */
export async function detection(ctx: BenchContext, k: number, rounds: number, tunedInterval: number): Promise<Figure> {
  const defaultInterval = Number(workerDefaults().UPSTREAM_POLL_INTERVAL_MS);
  const configs: { interval: number; data: Awaited<ReturnType<typeof measure>> }[] = [
    { interval: defaultInterval, data: await measure(ctx, undefined, k, rounds) },
  ];
  const med = (list: Sample[], key: keyof Sample) => median(list.map((s) => s[key]));
  // The tuned interval is measured whether or not the default meets the goal, to show the trade-off either way.
  configs.push({ interval: tunedInterval, data: await measure(ctx, String(tunedInterval), k, rounds) });

  const rows = configs.flatMap(({ interval, data }) => (['ours', 'naive'] as const).map((kind) => [
    `${interval} ms${interval === defaultInterval ? ' (default)' : ' (tuned)'}`,
    kind === 'ours' ? 'element (long-poll)' : `naive (GET every ${NAIVE_POLL_MS / 1000} s)`,
    ms(med(data[kind], 'latency')), ms(percentile(data[kind].map((s) => s.latency), 90)),
    num(med(data[kind], 'requests')), num(Math.max(...data[kind].map((s) => s.requests))),
    num(med(data[kind], 'upstreamPolls')),
  ]));
  const summary = configs.flatMap(({ interval, data }) => {
    const label = `${interval === defaultInterval ? 'default' : 'tuned'} UPSTREAM_POLL_INTERVAL_MS=${interval}`;
    return [
      {
        figure: `3. detection latency, median (${label})`, ours: ms(med(data.ours, 'latency')), baseline: ms(med(data.naive, 'latency')),
        ratio: ratio(med(data.ours, 'latency'), med(data.naive, 'latency')), goal: '<= 300 ms', met: med(data.ours, 'latency') <= 300,
      },
      {
        figure: `3. client requests per video, 25 s task (${label})`, ours: num(med(data.ours, 'requests')), baseline: num(med(data.naive, 'requests')),
        ratio: ratio(med(data.ours, 'requests'), med(data.naive, 'requests')), goal: '<= 3', met: Math.max(...data.ours.map((s) => s.requests)) <= 3,
      },
    ];
  });
  const base = configs[0]!;
  const tuned = configs[1]!;
  const baseLatency = med(base.data.ours, 'latency');
  return {
    title: '3. Detection latency and requests per video',
    summary,
    body: `
Each round opens ${k} pages with one element each (\`trigger="load"\`, a new script each) and ${k} pages with one naive
client each (POST, then \`GET ?task_id=\` every ${NAIVE_POLL_MS / 1000} s, NavTalk's advice), all at once against the same
Worker. One viewer per page (and browser context): a browser opens at most 6 HTTP/1.1 connections per host, and
wrangler dev speaks HTTP/1.1, so on one page six held long-polls would stall every other request to the Worker.
The mock keeps every task processing and the bench finishes it (\`mock.complete\`) at a random instant ${TASK_MS / 1000}-${(TASK_MS + TASK_SPREAD_MS) / 1000} s after
NavTalk accepted it (a 25 s task; the random phase keeps the Worker's poll schedule from flattering or hurting it).
Latency = the page's \`Date.now()\` when the element fires \`navtalk-status\` \`done\` (or the naive client reads \`done\`)
minus the mock's \`done_at\` (\`Date.now()\` in the bench process): one clock, one machine. Requests are the page's
own fetches to the Worker for that video (counted by wrapping \`fetch\`); the one CORS preflight the page makes
before its first POST (then cached for 24 h) is not counted. Upstream polls are the mock's \`/query_status\` calls for
the task. ${rounds} rounds, so ${rounds * k} tasks of each kind per configuration; medians. Browsers cannot set \`CF-Connecting-IP\`, so all these videos
come from one address: \`RATE_LIMIT_PER_MINUTE\` is raised to 1000 here.

${table(['UPSTREAM_POLL_INTERVAL_MS', 'client', 'median latency', 'p90 latency', 'median requests per video', 'max requests', 'median upstream polls per task'], rows)}

The element makes 1 POST and then long-polls: one GET returns when the task moves to \`processing\` (2 s), the
next when it is \`done\`, so a 25 s task costs 3 requests instead of about ${num(med(base.data.naive, 'requests'))}.
The Worker notices \`done\` on its next upstream poll and wakes the held long-poll at once, so the latency is about
the time to that poll: uniform over one interval, median about half of it.
At the default interval (${defaultInterval} ms) the median is ${ms(baseLatency)}: ${baseLatency <= 300 ? 'the 300 ms goal is met in this run, though with a median of about half the interval it sits near the goal and the p90 is above it' : '**the 300 ms goal is missed**, by design of the default'};
the default keeps upstream polls at about one per second (${num(med(base.data.ours, 'upstreamPolls'))} per 25 s task). At ${tuned.interval} ms the median is
${ms(med(tuned.data.ours, 'latency'))} (${med(tuned.data.ours, 'latency') <= 300 ? 'goal met' : 'still missed'}), at the price of ${num(med(tuned.data.ours, 'upstreamPolls'))} upstream polls per task
(${ratio(med(tuned.data.ours, 'upstreamPolls'), med(base.data.ours, 'upstreamPolls'), 1)}). NavTalk documents no price or rate limit for its status endpoint (it suggests polling every 2-3 s),
but each poll is a Durable Object alarm and a subrequest, and would count against any limit NavTalk applies. So:
\`UPSTREAM_POLL_INTERVAL_MS=${tuned.interval}\` ${med(tuned.data.ours, 'latency') <= 300 && percentile(tuned.data.ours.map((x) => x.latency), 90) <= 300 ? 'meets the goal at the median and the p90' : 'is the setting to start from'}; a smarter schedule (poll rarely early and every ${tuned.interval} ms from
about the typical generation time on) would keep most of the gain for few extra polls.
`,
  };
}
