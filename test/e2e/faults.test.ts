// The fault suite over the real stack: the CDN bundle in Chromium, the Worker under wrangler dev, the NavTalk
// mock. Every mock fault ends in a clear terminal state on the page (done, or failed with the expected
// navtalk-error code and a retry button), and the mock counts the Worker's upstream calls: /generate is never
// retried, polls are. Then many distinct generations at once, none lost.
// FAULTS_CONCURRENCY sets how many (npm run test:faults: 200; the short form in npm test: 50). FAULTS_TARGET=node-redis
// runs the same suite against the Node server (examples/node-server) on Redis instead of the Worker.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startNodeStack } from '../../scripts/lib/node-proxy.js';
import { startStack } from '../../scripts/lib/stack.js';
import { FAILED_TASK_ERROR, type FaultKind, type MockFaults, type MockNavTalk } from '../../src/mock/server.js';
import { followTask, viewerIp } from './faults-clients.js';
import { launchChromium, pageWith, serveSite, type StaticSite } from './support.js';

const CONCURRENCY = Number(process.env.FAULTS_CONCURRENCY ?? 200);
const TARGET = process.env.FAULTS_TARGET ?? 'worker';
if (TARGET !== 'worker' && TARGET !== 'node-redis') throw new Error(`FAULTS_TARGET must be worker or node-redis (got ${TARGET})`);
/** The proxy under test with the mock behind it: the Worker under wrangler dev, or the Node server on Redis. */
type Stack = Pick<Awaited<ReturnType<typeof startStack>>, 'mock' | 'workerUrl' | 'stop'>;
const startTarget = (options: { origins: string[]; vars: Record<string, string> }): Promise<Stack> =>
  TARGET === 'worker' ? startStack(options) : startNodeStack(options);
/** The Worker's settings, short so that every fault ends in seconds. */
const POLL_MS = 100;
const UPSTREAM_TIMEOUT_MS = 1000;
const MAX_WAIT_SECONDS = 5;
const TIMING = { processingAfterMs: 100, doneAfterMs: 600 };
const ORIGIN = 'http://faults.example';
/** Faults that end in a retryable failure; a '400' (NavTalk refusing the input) has its own case below. */
type TransientKind = Exclude<FaultKind, '400'>;
const ALL_KINDS: TransientKind[] = ['500', '503', '429', '401', 'timeout', 'malformed', 'reset'];

let site: StaticSite;
let stack: Stack;
let mock: MockNavTalk;
let browser: Browser;
const pages: Record<string, string> = {};
const opened: Page[] = [];

/** What beforeAll started, stopped in reverse order (only what did start, if it failed midway). */
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  site = await serveSite(pages);
  closers.push(() => site.close());
  stack = await startTarget({
    origins: [site.origin],
    vars: {
      UPSTREAM_POLL_INTERVAL_MS: String(POLL_MS),
      UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
      UPSTREAM_MAX_WAIT_SECONDS: String(MAX_WAIT_SECONDS),
      // The page's requests all come from one address (a browser cannot set CF-Connecting-IP): raised, not off.
      RATE_LIMIT_PER_MINUTE: '1000',
      DAILY_GENERATION_LIMIT: '100000',
    },
  });
  closers.push(() => stack.stop());
  mock = stack.mock!;
  browser = await launchChromium();
  closers.push(() => browser.close());
}, 90_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

beforeEach(async () => {
  await Promise.all(opened.splice(0).map((page) => page.close()));
  // A clean count per test; reset() also clears faults and restores the start timing, so set ours again.
  mock.reset();
  mock.configure({ timing: TIMING });
});

interface Seen {
  page: Page;
  content: string;
  status: string;
  error: { code: string; message: string; retryAfter?: number } | null;
  taskId: string | null;
  retryButton: boolean;
}

let serial = 0;

/** Opens a page with one element on a new script and waits until it is done or failed. */
async function element(faults: MockFaults, attributes = ''): Promise<Seen> {
  const content = `Fault case ${++serial} at ${Date.now()}.`;
  const path = `/case-${serial}.html`;
  pages[path] = pageWith(
    `<navtalk-avatar id="a" endpoint="${stack.workerUrl}/" character="navtalk.Leo" text="${content}" voice="echo" trigger="load" ${attributes}></navtalk-avatar>`,
  );
  mock.configure({ faults });
  const page = await browser.newPage();
  opened.push(page);
  await page.goto(`${site.origin}${path}`);
  return { page, content, ...(await settled(page)) };
}

async function settled(page: Page) {
  await page.waitForFunction(() => ['done', 'failed'].includes(document.querySelector('#a')?.getAttribute('status') ?? ''), undefined, { timeout: 20_000, polling: 50 });
  return page.evaluate(() => {
    const el = document.querySelector('#a') as HTMLElement & { status: string; error: Seen['error']; taskId: string | null };
    return { status: el.status, error: el.error, taskId: el.taskId, retryButton: !!el.shadowRoot!.querySelector('[part="retry"]') };
  });
}

/** The visitor presses "Try again": the new generation has begun once the failure is gone. */
async function retry(page: Page) {
  await page.locator('#a [part="retry"]').click();
  await page.waitForFunction(() => document.querySelector('#a')?.getAttribute('status') !== 'failed', undefined, { timeout: 10_000, polling: 20 });
}

/** The Worker's upstream calls for one script, as the mock saw them. */
function upstream(content: string) {
  const ids = new Set(mock.tasks().filter((t) => t.request.content === content).map((t) => t.task_id));
  return {
    generate: mock.calls.filter((c) => c.path === '/generate' && (c.body as { content?: string } | null)?.content === content).length,
    polls: mock.calls.filter((c) => c.path === '/query_status' && ids.has(c.query.task_id ?? '')).length,
  };
}

describe('a failing /generate: a clear error, never retried by the Worker, retried by the button', () => {
  const expected: Record<TransientKind, { code: string; message: RegExp }> = {
    '500': { code: 'upstream_failed', message: /HTTP 500.*not retried/ },
    '503': { code: 'upstream_failed', message: /HTTP 503.*not retried/ },
    '429': { code: 'upstream_failed', message: /busy \(HTTP 429\)/ },
    '401': { code: 'upstream_failed', message: /refused the proxy's key \(HTTP 401\)/ },
    timeout: { code: 'timeout', message: /did not answer within 1 s/ },
    malformed: { code: 'upstream_failed', message: /could not read/ },
    reset: { code: 'upstream_failed', message: /could not reach NavTalk/ },
  };
  for (const kind of ALL_KINDS) {
    it(`generate ${kind}`, async () => {
      const seen = await element({ generate: { kind, times: 1, ...(kind === '429' ? { retryAfter: 7 } : {}) } });
      expect(seen.status).toBe('failed');
      expect(seen.error?.code).toBe(expected[kind].code);
      expect(seen.error?.message).toMatch(expected[kind].message);
      if (kind === '429') expect(seen.error?.retryAfter).toBe(7);
      expect(seen.retryButton).toBe(true);
      expect(upstream(seen.content)).toEqual({ generate: 1, polls: 0 });

      // The fault was for one call: the visitor's retry starts a new generation, which plays.
      await retry(seen.page);
      expect((await settled(seen.page)).status).toBe('done');
      expect(upstream(seen.content).generate).toBe(2);
    });
  }
});

describe('NavTalk refusing the input (/generate answers 400)', () => {
  it('reads as invalid_input with NavTalk\'s reason and no key, and a second view of the script costs no upstream call', async () => {
    const reason = 'image could not be decoded for license {license}';
    const seen = await element({ generate: { kind: '400', message: reason } });
    expect(seen.status).toBe('failed');
    expect(seen.error?.code).toBe('invalid_input');
    expect(seen.error?.message).toBe('NavTalk refused this request: image could not be decoded for license [redacted].');
    expect(seen.error?.message).not.toContain(mock.license);
    expect(seen.retryButton).toBe(false);
    expect(upstream(seen.content)).toEqual({ generate: 1, polls: 0 });

    // The same script on another page: the refusal is answered by the Worker, NavTalk is not asked again.
    const page = await browser.newPage();
    opened.push(page);
    const again = Object.keys(pages).find((path) => pages[path]!.includes(seen.content))!;
    await page.goto(`${site.origin}${again}`);
    expect(await settled(page)).toMatchObject({ status: 'failed', error: { code: 'invalid_input' } });
    expect(upstream(seen.content)).toEqual({ generate: 1, polls: 0 });
  });
});

describe('a failing /query_status that recovers: the Worker retries its polls and the video arrives', () => {
  for (const kind of ALL_KINDS) {
    it(`query ${kind} twice, then answers`, async () => {
      const seen = await element({ query: { kind, times: 2, ...(kind === '429' ? { retryAfter: 1 } : {}) } });
      expect(seen.status).toBe('done');
      expect(seen.error).toBeNull();
      const calls = upstream(seen.content);
      expect(calls.generate).toBe(1);
      // Both faulted polls, then at least the one that saw done; with backoff, never a storm.
      expect(calls.polls).toBeGreaterThanOrEqual(3);
      expect(calls.polls).toBeLessThanOrEqual(3 + Math.ceil(TIMING.doneAfterMs / POLL_MS));
      expect(mock.config().faults.query).toBeUndefined();
    });
  }
});

describe('faults that do not recover end the task with a clear error', () => {
  it('query 503 on every call: the Worker gives up at UPSTREAM_MAX_WAIT_SECONDS, with backed-off polls', async () => {
    const seen = await element({ query: { kind: '503' } });
    expect(seen.status).toBe('failed');
    expect(seen.error?.code).toBe('upstream_failed');
    expect(seen.error?.message).toContain(`status endpoint kept failing for ${MAX_WAIT_SECONDS} s`);
    expect(seen.retryButton).toBe(true);
    const calls = upstream(seen.content);
    expect(calls.generate).toBe(1);
    // 100, 200, 400, 800, 1600 ms apart (doubling after each failure), cut at the deadline.
    expect(calls.polls).toBeGreaterThanOrEqual(4);
    expect(calls.polls).toBeLessThanOrEqual(6);
  });

  it('query 401 on every call: refused three times in a row, the task fails at once', async () => {
    const seen = await element({ query: { kind: '401' } });
    expect(seen.status).toBe('failed');
    expect(seen.error?.code).toBe('upstream_failed');
    expect(seen.error?.message).toMatch(/refused to report on the task \(HTTP 401\)/);
    expect(upstream(seen.content)).toEqual({ generate: 1, polls: 3 });
  });

  it('outcome failed with a reason: generation_failed with NavTalk\'s reason on the page, and a Try again button', async () => {
    const seen = await element({ outcome: 'failed' });
    expect(seen.status).toBe('failed');
    expect(seen.error).toEqual({ code: 'generation_failed', message: `NavTalk could not make this video: ${FAILED_TASK_ERROR}` });
    expect(await seen.page.locator('#a [part="error"]').textContent()).toContain(FAILED_TASK_ERROR);
    expect(seen.retryButton).toBe(true);
    expect(upstream(seen.content).generate).toBe(1);
  });

  it('outcome failed without a reason: generation_failed, and the retry button starts exactly one new generation', async () => {
    const seen = await element({ outcome: 'failed_silently' });
    expect(seen.status).toBe('failed');
    expect(seen.error).toEqual({ code: 'generation_failed', message: 'NavTalk could not generate the video.' });
    expect(seen.retryButton).toBe(true);
    mock.configure({ faults: { outcome: undefined } });
    await retry(seen.page);
    expect((await settled(seen.page)).status).toBe('done');
    expect(upstream(seen.content).generate).toBe(2);
  });

  it('never finishing: the Worker fails the task with timeout at UPSTREAM_MAX_WAIT_SECONDS', async () => {
    const seen = await element({ outcome: 'never' });
    expect(seen.status).toBe('failed');
    expect(seen.error?.code).toBe('timeout');
    expect(seen.error?.message).toContain(`did not finish the video within ${MAX_WAIT_SECONDS} s`);
    expect(seen.retryButton).toBe(true);
    const calls = upstream(seen.content);
    expect(calls.generate).toBe(1);
    expect(calls.polls).toBeLessThanOrEqual(Math.ceil((MAX_WAIT_SECONDS * 1000) / POLL_MS) + 1);
  });

  it("never finishing, with the element's timeout shorter than the Worker's: the element gives up itself", async () => {
    const seen = await element({ outcome: 'never' }, 'timeout="1"');
    expect(seen.status).toBe('failed');
    expect(seen.error?.code).toBe('timeout');
    expect(seen.error?.message).toBe('No video after 1 s.');
    expect(seen.retryButton).toBe(true);
    expect(upstream(seen.content).generate).toBe(1);
    // The Worker still ends the task at its own deadline (no task polls forever); wait for that before the next test.
    const url = `${stack.workerUrl}/?task_id=${seen.taskId}&wait=${MAX_WAIT_SECONDS + 2}&status=processing`;
    const state = (await (await fetch(url)).json()) as { status: string; error?: { code: string } };
    expect(state).toMatchObject({ status: 'failed', error: { code: 'timeout' } });
  });

  it('video URL 404: the task is done, but the video cannot load: the element fails clearly, with a retry', async () => {
    const seen = await element({ video: '404' });
    expect(upstream(seen.content).generate).toBe(1);
    // `done` comes first (the proxy has a video URL); the <video>'s load error then fails the element.
    await seen.page.waitForFunction(() => document.querySelector('#a')?.getAttribute('status') === 'failed', undefined, { timeout: 10_000, polling: 50 });
    const failed = await settled(seen.page);
    expect(failed.error).toEqual({ code: 'upstream_failed', message: 'The generated video could not be loaded.' });
    expect(failed.retryButton).toBe(true);
  });

  it('an expired NavTalk URL: the visitor\'s retry makes the video again, once, and it plays', async () => {
    // NavTalk's URL is gone (so the Worker's copy fails too, and the result stays on that URL).
    const seen = await element({ video: '404' }, 'autoplay muted');
    await seen.page.waitForFunction(() => document.querySelector('#a')?.getAttribute('status') === 'failed', undefined, { timeout: 10_000, polling: 50 });
    expect(upstream(seen.content).generate).toBe(1);
    // NavTalk forgets the task, so its URL stays 404 while new videos load (the reset also zeroes the call log).
    mock.reset();
    mock.configure({ timing: TIMING });
    await retry(seen.page);
    expect((await settled(seen.page)).status).toBe('done');
    await seen.page.waitForFunction(() => {
      const video = document.querySelector('#a')!.shadowRoot!.querySelector('video');
      return !!video && video.currentTime > 0.2 && !video.paused;
    }, undefined, { timeout: 10_000, polling: 50 });
    expect(upstream(seen.content).generate).toBe(1); // counted since the reset: exactly one new generation
  });
});

describe(`${CONCURRENCY} distinct generations at once`, () => {
  // Its own Worker, with the default upstream timeout and deadline: under wrangler dev a burst of new scripts
  // queues (each new client address makes its rate-limit Durable Object, each script its task object), and the
  // last /generate leaves seconds after the first. Only the poll interval is shortened and the budget raised.
  let busy: Stack;
  beforeAll(async () => {
    busy = await startTarget({ origins: [ORIGIN], vars: { UPSTREAM_POLL_INTERVAL_MS: '250', DAILY_GENERATION_LIMIT: '100000' } });
    busy.mock!.configure({ timing: TIMING });
  }, 90_000);
  afterAll(() => busy?.stop());

  it('nothing is lost: each ends done with its own video, or with a clear error; one /generate each', async () => {
    const upstreamMock = busy.mock!;
    const failing = 5;
    // A flaky NavTalk on top: the first few /generate calls fail (those viewers get a clear error) and a quarter
    // of the polls fail (the Worker retries them). Every viewer has its own address, so the default rate limit holds.
    upstreamMock.configure({ faults: { generate: { kind: '503', times: failing }, query: { kind: '503', times: Math.ceil(CONCURRENCY / 4) } } });
    const contents = Array.from({ length: CONCURRENCY }, (_, i) => `Concurrent viewer ${i} at ${Date.now()}.`);
    const outcomes = await Promise.all(contents.map((content, i) =>
      followTask(`${busy.workerUrl}/`, { character_name: 'navtalk.Leo', content, voice: 'echo' }, { origin: ORIGIN, ip: viewerIp(i + 1) }, 60_000)));

    const done = outcomes.filter((o) => o.status === 'done');
    const failed = outcomes.filter((o) => o.status === 'failed');
    expect(failed.map((o) => o.status === 'failed' && o.code)).toEqual(Array(failing).fill('upstream_failed'));
    expect(done.length).toBe(CONCURRENCY - failing);
    // Each video is its own task's (NavTalk's URL, or the Worker's copy of it for a viewer who asked after the copy
    // landed), and each script reached NavTalk exactly once.
    const tasks = upstreamMock.tasks();
    expect(tasks).toHaveLength(CONCURRENCY - failing);
    expect(tasks.every((t) => t.status === 'done')).toBe(true);
    outcomes.forEach((outcome, i) => {
      if (outcome.status !== 'done') return;
      const own = tasks.find((t) => t.request.content === contents[i])!;
      const stored = `${busy.workerUrl}/?video=${encodeURIComponent(outcome.taskId)}&v=`;
      expect([`${upstreamMock.url}/videos/${own.task_id}.mp4`, stored]).toContain(outcome.videoUrl.startsWith(stored) ? stored : outcome.videoUrl);
    });
    const generates = upstreamMock.calls.filter((c) => c.path === '/generate').map((c) => (c.body as { content: string }).content);
    expect(generates.sort()).toEqual([...contents].sort());
  }, 90_000);
});
