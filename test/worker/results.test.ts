// Finished videos kept in R2 (simulated by workerd) and served by the Worker at /?video=.
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TaskState } from '../../src/protocol/index.js';
import { ORIGIN, signed, textBody } from '../proxy/cases.js';
import { ENDPOINT, MOCK_URL, client, mock, stateOf, useMock, type WorkerClient } from './helpers.js';

useMock();
afterEach(() => {
  vi.useRealTimers();
});

const DAY_MS = 86_400_000;

async function finished(worker: WorkerClient, body: Record<string, unknown>, recheck = false): Promise<TaskState> {
  const request = new Request(`${ENDPOINT}${recheck ? '?recheck=1' : ''}`, {
    method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify(await signed(body)),
  });
  const started = await stateOf(await worker.call(request));
  return started.status === 'done' ? started : worker.settle(started.task_id);
}

/** The stored copy's URL, once the copy (which runs after `done` is answered) is in. */
async function storedUrl(worker: WorkerClient, taskId: string): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const state = await stateOf(await worker.get(taskId));
    if (state.video_url?.startsWith(`${ENDPOINT}?video=`)) return state.video_url;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the video was never stored');
}

const videoCalls = async () => (await mock.calls()).filter((c) => c.path === '/generate' || c.path === '/query_status');

describe('results in R2', () => {
  it('copies a finished video once and serves it with Range, HEAD, ETag and the right headers', async () => {
    const worker = client();
    const done = await finished(worker, textBody('r2-kept'));
    expect(done.video_url!.startsWith(MOCK_URL)).toBe(true);
    const url = await storedUrl(worker, done.task_id);
    const original = new Uint8Array(await (await fetch(done.video_url!)).arrayBuffer());
    const listed = await env.RESULTS.list();
    expect(listed.objects.map((o) => [o.key, o.size])).toEqual([[done.task_id, original.byteLength]]);

    const whole = await worker.call(new Request(url, { headers: { origin: ORIGIN } }));
    expect(whole.status).toBe(200);
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(original);
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(whole.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(whole.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    const etag = whole.headers.get('etag')!;

    const part = await worker.call(new Request(url, { headers: { range: 'bytes=10-19' } }));
    expect([part.status, part.headers.get('content-range')]).toEqual([206, `bytes 10-19/${original.byteLength}`]);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(original.subarray(10, 20));
    const beyond = await worker.call(new Request(url, { headers: { range: `bytes=${original.byteLength}-` } }));
    expect(beyond.status).toBe(416);
    const head = await worker.call(new Request(url, { method: 'HEAD' }));
    expect([head.status, head.headers.get('content-length')]).toEqual([200, String(original.byteLength)]);
    expect((await worker.call(new Request(url, { headers: { 'if-none-match': etag } }))).status).toBe(304);
    expect((await mock.generateCalls())).toHaveLength(1);
  });

  it('a second page view 40 days later gets the stored video with 0 upstream calls', async () => {
    const worker = client();
    const url = await storedUrl(worker, (await finished(worker, textBody('r2-40-days'))).task_id);
    const before = (await videoCalls()).length;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 40 * DAY_MS);
    const later = await stateOf(await worker.post(await signed(textBody('r2-40-days'))));
    expect(later).toMatchObject({ status: 'done', video_url: url });
    expect((await worker.call(new Request(url))).status).toBe(200);
    vi.useRealTimers();
    expect((await videoCalls()).length).toBe(before);
  });

  it('a copy that fails falls back to NavTalk\'s URL', async () => {
    await mock.configure({ faults: { video: '404' } });
    const worker = client();
    const done = await finished(worker, textBody('r2-copy-fails'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await stateOf(await worker.get(done.task_id))).toMatchObject({ status: 'done', video_url: done.video_url });
    expect(done.video_url!.startsWith(MOCK_URL)).toBe(true);
    expect((await env.RESULTS.list()).objects.filter((o) => o.key === done.task_id)).toEqual([]);
  });

  it('a result whose NavTalk URL returns 404 is regenerated exactly once on the next (rechecking) request, then plays', async () => {
    await mock.configure({ faults: { video: '404' } }); // the copy fails, and NavTalk's URL is gone
    const worker = client();
    const body = textBody('r2-expired');
    const first = await finished(worker, body);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // NavTalk forgets the task (its URL stays 404; new ones work): the mock's reset also zeroes its call log.
    await mock.reset();
    expect((await fetch(first.video_url!)).status).toBe(404);
    expect((await finished(worker, body)).video_url).toBe(first.video_url); // no recheck: the cached result
    const again = await Promise.all([finished(worker, body, true), finished(worker, body, true)]);
    expect(await mock.generateCalls()).toHaveLength(1);
    const url = await storedUrl(worker, again[0]!.task_id);
    expect((await worker.call(new Request(url))).status).toBe(200);
    // Now fine: a further recheck changes nothing.
    await finished(worker, body, true);
    expect(await mock.generateCalls()).toHaveLength(1);
  });

  it('forged, unknown and malformed video ids get 404 and cost nothing', async () => {
    const worker = client();
    for (const id of ['A'.repeat(43), 'x', '../x', '']) {
      const response = await worker.call(new Request(`${ENDPOINT}?video=${encodeURIComponent(id)}`, { headers: { origin: ORIGIN } }));
      expect(response.status, id).toBe(404);
      expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'No such video.' } });
    }
    expect(await videoCalls()).toEqual([]);
  });
});
