import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { taskStateSchema, type TaskState } from '../../src/protocol/index.js';
import { MemoryResultStore, parseRange } from '../../src/proxy/index.js';
import { ORIGIN, signed, textBody } from './cases.js';
import { ENDPOINT, generateCalls, makeProxy, type Proxy, useMock } from './harness.js';

const h = useMock();
/** The MP4 the mock hands out for every done task. */
const TASK_VIDEO = readFileSync(new URL('../../src/mock/samples/avatar.mp4', import.meta.url));
const DAY_MS = 86_400_000;

const stateOf = async (response: Response): Promise<TaskState> => {
  expect(response.status).toBe(200);
  return taskStateSchema.parse(await response.json());
};

/** POSTs and follows the task to its end. */
async function finished(proxy: Proxy, body: Record<string, unknown>, query = ''): Promise<TaskState> {
  const started = await stateOf(await proxy.handler(new Request(`${ENDPOINT}${query}`, {
    method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify(await signed(body)),
  })));
  return started.status === 'done' ? started : proxy.settle(started.task_id);
}

/** Waits until the result's video_url is the stored copy (the copy runs after `done` is answered). */
async function stored(proxy: Proxy, taskId: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const state = await stateOf(await proxy.get(taskId));
    if (state.video_url?.startsWith(`${ENDPOINT}?video=`)) return state.video_url;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the video was never stored');
}

const fetchVideo = (proxy: Proxy, url: string, headers: Record<string, string> = {}, method = 'GET') =>
  proxy.handler(new Request(url, { method, headers }));

describe('results kept in a result store', () => {
  it('copies a done task\'s video once and serves it with Range, HEAD, ETag and long caching', async () => {
    const results = new MemoryResultStore();
    const proxy = makeProxy(h, {}, { results });
    const done = await finished(proxy, textBody('kept'));
    expect(done.video_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/videos\//); // done is answered before the copy
    const url = await stored(proxy, done.task_id);
    expect(url).toMatch(new RegExp(`^${ENDPOINT}\\?video=${done.task_id}&v=[0-9a-f]{16}$`));
    expect(results.videos.size).toBe(1);

    const whole = await fetchVideo(proxy, url, { origin: ORIGIN });
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.arrayBuffer()).equals(TASK_VIDEO)).toBe(true);
    expect(Object.fromEntries(['content-type', 'content-length', 'accept-ranges', 'cache-control', 'access-control-allow-origin'].map((k) => [k, whole.headers.get(k)]))).toEqual({
      'content-type': 'video/mp4', 'content-length': String(TASK_VIDEO.length), 'accept-ranges': 'bytes',
      'cache-control': 'public, max-age=31536000, immutable', 'access-control-allow-origin': ORIGIN,
    });
    const etag = whole.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]+"$/);

    const part = await fetchVideo(proxy, url, { range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${TASK_VIDEO.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(TASK_VIDEO.subarray(100, 200))).toBe(true);
    const tail = await fetchVideo(proxy, url, { range: 'bytes=-10' });
    expect(Buffer.from(await tail.arrayBuffer()).equals(TASK_VIDEO.subarray(-10))).toBe(true);
    const beyond = await fetchVideo(proxy, url, { range: `bytes=${TASK_VIDEO.length}-` });
    expect([beyond.status, beyond.headers.get('content-range')]).toEqual([416, `bytes */${TASK_VIDEO.length}`]);
    const head = await fetchVideo(proxy, url, {}, 'HEAD');
    expect([head.status, head.headers.get('content-length'), await head.text()]).toEqual([200, String(TASK_VIDEO.length), '']);
    const unchanged = await fetchVideo(proxy, url, { 'if-none-match': etag });
    expect(unchanged.status).toBe(304);
    const changed = await fetchVideo(proxy, url, { range: 'bytes=0-9', 'if-range': '"other"' });
    expect(changed.status).toBe(200);

    // Another view of the script: the stored copy, no NavTalk call.
    expect((await finished(proxy, textBody('kept'))).video_url).toBe(url);
    expect(generateCalls(h.mock.calls)).toHaveLength(1);
    expect(h.mock.calls.filter((c) => c.path.startsWith('/videos/'))).toHaveLength(0); // the copy is not a NavTalk API call
  });

  it('unknown, forged and malformed video ids are 404 with the error body, and cost nothing', async () => {
    const proxy = makeProxy(h, {}, { results: new MemoryResultStore() });
    for (const id of ['A'.repeat(43), 'nope', '', '../etc/passwd', 'A'.repeat(44)]) {
      const response = await fetchVideo(proxy, `${ENDPOINT}?video=${encodeURIComponent(id)}`, { origin: ORIGIN });
      expect(response.status, id).toBe(404);
      expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'No such video.' } });
    }
    const none = makeProxy(h); // no result store: nothing to serve
    expect((await fetchVideo(none, `${ENDPOINT}?video=${'A'.repeat(43)}`)).status).toBe(404);
    expect(h.mock.calls).toHaveLength(0);
  });

  it('a copy that fails leaves NavTalk\'s URL in place: the video still plays', async () => {
    const proxy = makeProxy(h, {}, { results: new MemoryResultStore() });
    h.mock.configure({ faults: { video: '404' } });
    const done = await finished(proxy, textBody('copy-fails'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const state = await stateOf(await proxy.get(done.task_id));
    expect(state).toMatchObject({ status: 'done', video_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/videos\//) });
  });

  it('lasts: 40 days later, and after a restart of the proxy (new task store), the stored video with 0 NavTalk calls', async () => {
    const results = new MemoryResultStore();
    let clock = Date.now();
    const proxy = makeProxy(h, {}, { results, now: () => clock });
    const url = await stored(proxy, (await finished(proxy, textBody('lasting'))).task_id);
    clock += 40 * DAY_MS;
    expect((await finished(proxy, textBody('lasting'))).video_url).toBe(url);
    const restarted = makeProxy(h, {}, { results, now: () => clock });
    expect((await finished(restarted, textBody('lasting'))).video_url).toBe(url);
    expect(generateCalls(h.mock.calls)).toHaveLength(1);
  });

  it('without a store, today\'s behaviour: NavTalk\'s URL, cached for RESULT_TTL_SECONDS (a day by default)', async () => {
    let clock = Date.now();
    const proxy = makeProxy(h, { RESULT_TTL_SECONDS: '' }, { now: () => clock });
    const done = await finished(proxy, textBody('ttl'));
    expect(done.video_url).toMatch(/\/videos\//);
    clock += DAY_MS - 1000;
    await finished(proxy, textBody('ttl'));
    expect(generateCalls(h.mock.calls)).toHaveLength(1);
    clock += 2000;
    await finished(proxy, textBody('ttl'));
    expect(generateCalls(h.mock.calls)).toHaveLength(2);
  });
});

describe('broken results recover', () => {
  it('a result whose NavTalk URL is gone is made again once on a recheck, then plays; a fine one is not', async () => {
    const proxy = makeProxy(h); // no store: pages play NavTalk's URL
    const first = await finished(proxy, textBody('expiring'));
    // A recheck of a video that still loads changes nothing and costs nothing.
    expect((await finished(proxy, textBody('expiring'), '?recheck=1')).video_url).toBe(first.video_url);
    expect(generateCalls(h.mock.calls)).toHaveLength(1);

    h.mock.configure({ faults: { video: '404' } }); // NavTalk's URL expires
    expect((await finished(proxy, textBody('expiring'))).video_url).toBe(first.video_url); // without a recheck: the cache
    const rechecks = await Promise.all([1, 2, 3].map(() => finished(proxy, textBody('expiring'), '?recheck=1')));
    expect(generateCalls(h.mock.calls)).toHaveLength(2); // three visitors' rechecks at once: one new generation
    h.mock.configure({ faults: { video: undefined } });
    const again = rechecks[0]!;
    expect(again.video_url).not.toBe(first.video_url);
    expect((await fetch(again.video_url!)).status).toBe(200);
  });

  it('a stored video that was deleted is made again once on a recheck; the regeneration is counted against the budget', async () => {
    const results = new MemoryResultStore();
    const proxy = makeProxy(h, { DAILY_GENERATION_LIMIT: '2' }, { results });
    const first = await finished(proxy, textBody('deleted'));
    await stored(proxy, first.task_id);
    await results.delete(first.task_id); // the operator deletes the object
    const redo = await finished(proxy, textBody('deleted'), '?recheck=1');
    expect(redo.status).toBe('done');
    expect(await stored(proxy, redo.task_id)).toMatch(/\?video=/);
    expect(generateCalls(h.mock.calls)).toHaveLength(2);
    const overBudget = await proxy.post(await signed(textBody('deleted-then-new')));
    expect(overBudget.status).toBe(429);
  });

  it('recheck takes only 1', async () => {
    const proxy = makeProxy(h);
    const response = await proxy.handler(new Request(`${ENDPOINT}?recheck=yes`, {
      method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify(await signed(textBody('r'))),
    }));
    expect(response.status).toBe(400);
    expect(generateCalls(h.mock.calls)).toHaveLength(0);
  });
});

describe('parseRange', () => {
  it.each([
    ['bytes=0-99', 1000, { offset: 0, length: 100 }],
    ['bytes=900-', 1000, { offset: 900, length: 100 }],
    ['bytes=-100', 1000, { offset: 900, length: 100 }],
    ['bytes=-5000', 1000, { offset: 0, length: 1000 }],
    ['bytes=990-2000', 1000, { offset: 990, length: 10 }],
    ['bytes=1000-', 1000, 'unsatisfiable'],
    ['bytes=-0', 1000, 'unsatisfiable'],
    ['bytes=5-1', 1000, undefined],
    ['bytes=0-1,5-6', 1000, undefined],
    ['items=0-1', 1000, undefined],
    [null, 1000, undefined],
  ] as const)('%s of %i bytes', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});
