// `GET`/`HEAD /?script=...` on the Worker (workerd): a script's video from R2 when it is made, 404 when not, and never
// a task, a token, a unit of the budget or a NavTalk call.
import { runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { scriptUrl, type GenerateRequest } from '../../src/protocol/index.js';
import { budgetDay } from '../../src/worker/objects.js';
import { ORIGIN, signed, textBody } from '../proxy/cases.js';
import { ENDPOINT, client, errorOf, mock, stateOf, useMock, type WorkerClient } from './helpers.js';

useMock();

const NOT_MADE = { code: 'not_found', message: 'This video is not made yet: POST the request to make it.' };

/** What a `<video>` sends for the script: a plain GET (or HEAD), no Origin. */
const load = (worker: WorkerClient, body: GenerateRequest, init: RequestInit = {}) => worker.call(new Request(scriptUrl(ENDPOINT, body)!, init));

/**
 * A worker whose tasks poll NavTalk only when the test runs their alarm (once a minute otherwise), with NavTalk done
 * at once: `finish` runs the alarm that sees `done` and copies the video to R2, and returns when both are over.
 */
async function stepped() {
  await mock.configure({ timing: { processingAfterMs: 0, doneAfterMs: 0 } });
  const worker = client({ UPSTREAM_POLL_INTERVAL_MS: '60000' });
  const finish = async (taskId: string) => {
    expect(await runDurableObjectAlarm(env.TASKS.get(env.TASKS.idFromName(taskId)))).toBe(true);
    return stateOf(await worker.get(taskId));
  };
  return { worker, finish };
}

const generationsToday = async () => (await budgetDay(env, Date.now()).counts(Date.now())).generations;

describe('?script= on the Worker', () => {
  it('an unknown script: 404 not_found, no-store (GET and HEAD, with and without Origin), no NavTalk call, no budget', async () => {
    const worker = client();
    const before = await generationsToday();
    const body = await signed(textBody('w-script-unknown')) as GenerateRequest;
    for (const init of [{}, { method: 'HEAD' }, { headers: { origin: ORIGIN } }] as RequestInit[]) {
      const answer = await load(worker, body, init);
      expect([answer.status, answer.headers.get('cache-control')]).toEqual([404, 'no-store']);
      if (init.method !== 'HEAD') expect(await errorOf(answer)).toEqual(NOT_MADE);
    }
    const flood = await Promise.all(Array.from({ length: 50 }, () => load(worker, body)));
    expect(new Set(flood.map((answer) => answer.status))).toEqual(new Set([404]));
    expect(await mock.calls()).toEqual([]);
    expect(await generationsToday()).toBe(before);
  });

  it('a script being made: 404; once made and kept in R2: its video, whole, by range and HEAD, cached for good; no NavTalk call', async () => {
    const { worker, finish } = await stepped();
    const body = await signed(textBody('w-script-r2')) as GenerateRequest;
    const started = await stateOf(await worker.post(body));
    const running = await load(worker, body);
    expect([running.status, await errorOf(running)]).toEqual([404, NOT_MADE]);
    const done = await finish(started.task_id);
    expect(done.status).toBe('done');
    const video = done.video_url!;
    expect(video.startsWith(`${ENDPOINT}?video=`)).toBe(true);
    const original = new Uint8Array(await (await worker.call(new Request(video))).arrayBuffer());
    expect(original.byteLength).toBeGreaterThan(1000);
    const calls = (await mock.calls()).length;

    const whole = await load(worker, body, { headers: { origin: ORIGIN } });
    expect(whole.status).toBe(200);
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(original);
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(whole.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(whole.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const part = await load(worker, body, { headers: { range: 'bytes=10-19' } });
    expect([part.status, part.headers.get('content-range')]).toEqual([206, `bytes 10-19/${original.byteLength}`]);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(original.subarray(10, 20));
    const head = await load(worker, body, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length')]).toEqual([200, String(original.byteLength)]);
    expect((await load(worker, body, { headers: { 'if-none-match': whole.headers.get('etag')! } })).status).toBe(304);

    expect((await mock.calls()).length).toBe(calls);
    expect(await mock.generateCalls()).toHaveLength(1);
  });

  it('a script made whose copy failed: 302 to NavTalk\'s URL, kept briefly and privately', async () => {
    const { worker, finish } = await stepped();
    await mock.configure({ faults: { video: '404' } }); // the copy fails; the result stays on NavTalk's URL
    const body = await signed(textBody('w-script-redirect')) as GenerateRequest;
    const done = await finish((await stateOf(await worker.post(body))).task_id);
    expect(done.status).toBe('done');
    const answer = await load(worker, body, { redirect: 'manual' });
    expect([answer.status, answer.headers.get('location'), answer.headers.get('cache-control')]).toEqual([302, done.video_url, 'private, max-age=60']);
    expect(await mock.generateCalls()).toHaveLength(1);
  });

  it('refused as its POST would be: unsigned 401, bad base64url 400; 0 NavTalk calls', async () => {
    const worker = client();
    const unsigned = await load(worker, textBody('w-script-unsigned') as GenerateRequest);
    expect([unsigned.status, (await errorOf(unsigned)).code]).toEqual([401, 'signature_required']);
    const garbage = await worker.call(new Request(`${ENDPOINT}?script=%7B%7D`));
    expect([garbage.status, (await errorOf(garbage)).code]).toEqual([400, 'invalid_input']);
    expect(await mock.calls()).toEqual([]);
  });
});
