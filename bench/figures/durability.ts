import { startMockNavTalk } from '../../src/mock/server.js';
import { configFromEnv, createProxyHandler, MemoryResultStore, type ResultStore } from '../../src/proxy/index.js';
import type { TaskState } from '../../src/protocol/index.js';
import type { BenchContext } from '../lib/context.js';
import { table, type Figure } from '../lib/report.js';
import { num, ratio } from '../lib/stats.js';

const ORIGIN = 'https://shop.example';
const DAY_MS = 86_400_000;
const BODY = JSON.stringify({ character_name: 'navtalk.Leo', content: 'One script, viewed every day.', voice: 'echo' });

/**
 * One script viewed `perDay` times a day for `days` days, on a simulated clock: the portable handler (the same
 * TaskCoordinator the Worker's TaskObject runs) against the NavTalk mock, with and without a result store.
 * Returns NavTalk /generate calls. Views are spread evenly over each day; a view that finds no result follows
 * its task to the end, as a page would.
 */
async function viewsOverDays(results: ResultStore | undefined, days: number, perDay: number): Promise<{ generations: number; views: number }> {
  const mock = await startMockNavTalk({ timing: { processingAfterMs: 5, doneAfterMs: 20 } });
  let clock = Date.UTC(2026, 0, 1);
  const handler = createProxyHandler({
    config: configFromEnv({
      NAVTALK_API_KEY: mock.license, NAVTALK_BASE_URL: mock.url, AUTH_MODE: 'open', ALLOWED_ORIGINS: ORIGIN,
      RATE_LIMIT_PER_MINUTE: '0', UPSTREAM_POLL_INTERVAL_MS: '10', TRUSTED_MEDIA_ORIGINS: mock.url,
    }),
    now: () => clock,
    log: () => {},
    ...(results ? { results } : {}),
  });
  const headers = { origin: ORIGIN, 'content-type': 'application/json' };
  let views = 0;
  try {
    for (let day = 0; day < days; day++) {
      for (let view = 0; view < perDay; view++) {
        clock = Date.UTC(2026, 0, 1) + day * DAY_MS + Math.floor((view * DAY_MS) / perDay);
        let state = (await (await handler(new Request('https://proxy.example/api', { method: 'POST', headers, body: BODY }))).json()) as TaskState;
        const followed = state.status !== 'done';
        while (state.status !== 'done' && state.status !== 'failed') {
          const url = `https://proxy.example/api?task_id=${state.task_id}&wait=5&status=${state.status}`;
          state = (await (await handler(new Request(url, { headers: { origin: ORIGIN } }))).json()) as TaskState;
        }
        if (state.status !== 'done') throw new Error(`a view ended ${JSON.stringify(state)}`);
        // The proxy copies a done video in the background, in seconds of real time; on this clock a day passes in a
        // few ms, so let the copy land before the day moves on, as it would.
        for (let wait = 0; results && followed && !state.video_url?.includes('?video=') && wait < 200; wait++) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          state = (await (await handler(new Request(`https://proxy.example/api?task_id=${state.task_id}`, { headers: { origin: ORIGIN } }))).json()) as TaskState;
        }
        views++;
      }
    }
    return { generations: mock.calls.filter((c) => c.path === '/generate').length, views };
  } finally {
    await mock.close();
  }
}

/** Figure 8: paid generations for one script over a month, with the result store beside the TTL cache. */
export async function durability({ log }: BenchContext, days: number, perDay: number): Promise<Figure> {
  const ttl = await viewsOverDays(undefined, days, perDay);
  log(`durability: TTL cache (RESULT_TTL_SECONDS default, a day): ${JSON.stringify(ttl)}`);
  const stored = await viewsOverDays(new MemoryResultStore(), days, perDay);
  log(`durability: result store: ${JSON.stringify(stored)}`);
  const met = stored.generations <= 1;
  return {
    title: '8. Paid generations for one script over a month',
    summary: [{
      figure: `8. NavTalk generations, one script viewed ${num(perDay)} times a day for ${days} days`, ours: num(stored.generations),
      baseline: `${num(ttl.generations)} (TTL cache, a day)`, ratio: ratio(stored.generations, ttl.generations), goal: '1', met,
    }],
    body: `
One script (one \`<navtalk-avatar>\` tag) viewed ${num(perDay)} times a day, evenly spread, for ${days} days: ${num(stored.views)} page views.
Time is simulated (the handler's \`now\` option), so a month takes seconds: this runs the portable handler, the
same TaskCoordinator that the Worker's TaskObject runs, against the NavTalk mock. Each view POSTs the script and,
when the proxy has no result, follows the task to \`done\` as a page does. Counted: NavTalk \`/generate\` calls.

${table(['proxy', 'page views', 'NavTalk generations', 'per day'], [
  ['results cached for RESULT_TTL_SECONDS (default: a day), no result store', num(ttl.views), num(ttl.generations), (ttl.generations / days).toFixed(2)],
  ['with a result store (the Worker: R2; here in memory)', num(stored.views), num(stored.generations), (stored.generations / days).toFixed(2)],
])}

Without a store a result lasts a day, because NavTalk does not say how long its own video URLs live: the same
script is paid for again every day. With a store, the first \`done\` video is copied once and served by the proxy
until the operator deletes it: ${met ? '**one generation for the month: the goal is met**' : `**${stored.generations} generations: the goal of 1 is missed**`}.
`,
  };
}
