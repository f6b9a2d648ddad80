import { describe, expect, it } from 'vitest';
import { signed, textBody } from '../proxy/cases.js';
import { client, errorOf, mock, stateOf, useMock } from './helpers.js';

useMock();

const KINDS = ['500', '503', '429', '401', 'malformed', 'reset', 'timeout'] as const;
// Short upstream timeout, so the mock's held-socket fault costs 300 ms.
const FAST = { UPSTREAM_TIMEOUT_MS: '300' };

describe('NavTalk /generate faults: a clear error, never a retried /generate, never a hung task', () => {
  for (const kind of KINDS) {
    it(`generate ${kind}`, async () => {
      await mock.configure({ faults: { generate: { kind, times: 1, retryAfter: 9 } } });
      const worker = client(FAST);
      const body = await signed(textBody(`w-generate-${kind}`));
      const response = await worker.post(body);
      expect(response.status).toBe(kind === 'timeout' ? 504 : kind === '429' ? 503 : 502);
      const error = await errorOf(response);
      expect(error.code).toBe(kind === 'timeout' ? 'timeout' : 'upstream_failed');
      expect(error.message).not.toMatch(/internal server error|invalid license|<!--/); // upstream bodies are not echoed
      if (kind === '429') expect(response.headers.get('retry-after')).toBe('9');
      expect(await mock.generateCalls()).toHaveLength(1);

      // For a minute the same request is answered with the failure, at no cost; Try again (a recheck) starts anew.
      expect(await stateOf(await worker.post(body))).toMatchObject({ status: 'failed', error: { code: error.code } });
      expect(await mock.generateCalls()).toHaveLength(1);
      const retried = await stateOf(await worker.post(body, { query: '?recheck=1' }));
      expect(retried.status).toBe('started');
      expect((await worker.settle(retried.task_id)).status).toBe('done');
      expect(await mock.generateCalls()).toHaveLength(2);
    });
  }
});

describe('NavTalk /query_status faults: recovered by retried polls', () => {
  for (const kind of KINDS) {
    it(`query ${kind} twice`, async () => {
      await mock.configure({ faults: { query: { kind, times: 2, retryAfter: 0 } } });
      const worker = client(FAST);
      const started = await stateOf(await worker.post(await signed(textBody(`w-query-${kind}`))));
      expect((await worker.settle(started.task_id)).status).toBe('done');
      expect(await mock.generateCalls()).toHaveLength(1);
      expect((await mock.queryCalls()).length).toBeGreaterThanOrEqual(3);
    });
  }
});

describe('outcomes', () => {
  it('a task NavTalk accepts and then fails is generation_failed with its reason; new viewers get the failure for free, Try again makes exactly one new generation', async () => {
    await mock.configure({ faults: { outcome: 'failed' } });
    const worker = client();
    const body = await signed(textBody('w-failed'));
    const started = await stateOf(await worker.post(body));
    const failed = await worker.settle(started.task_id);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'generation_failed', message: expect.stringContaining('no face') } });
    expect(failed.error!.message.length).toBeLessThan(220);
    const viewers = await Promise.all([1, 2, 3].map(() => worker.post(body).then(stateOf)));
    expect(viewers.map((v) => v.error)).toEqual([failed.error, failed.error, failed.error]);
    expect(await mock.generateCalls()).toHaveLength(1);

    await mock.configure({ faults: { outcome: null } });
    const retries = await Promise.all([1, 2, 3].map(() => worker.post(body, { query: '?recheck=1' }).then(stateOf)));
    expect(retries.map((r) => r.status)).toEqual(['started', 'started', 'started']);
    expect((await worker.settle(started.task_id)).status).toBe('done');
    expect(await mock.generateCalls()).toHaveLength(2);
  });

  it('/generate 400 reads as upstream_rejected with NavTalk\'s reason, never the key', async () => {
    await mock.configure({ faults: { generate: { kind: '400', message: 'audio too long for {license}' } } });
    const refused = await client().post(await signed(textBody('w-refused')));
    expect(refused.status).toBe(422);
    expect(await refused.json()).toEqual({ error: { code: 'upstream_rejected', message: 'NavTalk refused this request: audio too long for [redacted].' } });
    expect(await mock.generateCalls()).toHaveLength(1);
  });

  it('a task that never finishes fails with timeout at UPSTREAM_MAX_WAIT_SECONDS and stops polling', async () => {
    await mock.configure({ faults: { outcome: 'never' } });
    const worker = client({ UPSTREAM_MAX_WAIT_SECONDS: '1' });
    const started = await stateOf(await worker.post(await signed(textBody('w-never'))));
    expect(await worker.settle(started.task_id)).toMatchObject({ status: 'failed', error: { code: 'timeout' } });
    const polls = (await mock.queryCalls()).length;
    await new Promise((r) => setTimeout(r, 100));
    expect((await mock.queryCalls()).length).toBe(polls);
  });

  it('a status endpoint that is down for good gives up at the deadline with upstream_failed', async () => {
    await mock.configure({ faults: { query: { kind: '503' } } });
    const worker = client({ UPSTREAM_MAX_WAIT_SECONDS: '1' });
    const started = await stateOf(await worker.post(await signed(textBody('w-query-down'))));
    expect(await worker.settle(started.task_id)).toMatchObject({ status: 'failed', error: { code: 'upstream_failed' } });
  });

  it('after a generation failed without a reason, Try again starts a new one (and counts again)', async () => {
    await mock.configure({ faults: { outcome: 'failed_silently' } });
    const worker = client();
    const body = await signed(textBody('w-failed-retry'));
    const first = await stateOf(await worker.post(body));
    expect(await worker.settle(first.task_id)).toMatchObject({ status: 'failed', error: { code: 'generation_failed', message: 'NavTalk could not generate the video.' } });
    await mock.configure({ faults: { outcome: null } });
    const again = await stateOf(await worker.post(body, { query: '?recheck=1' }));
    expect(again).toMatchObject({ task_id: first.task_id, status: 'started' });
    expect((await worker.settle(again.task_id)).status).toBe('done');
    expect(await mock.generateCalls()).toHaveLength(2);
  });
});
