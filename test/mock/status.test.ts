// Task status by elapsed time (started -> processing -> done | failed), video_url only when done,
// done_at exactly when done becomes observable, the outcome faults, complete(), configure() and reset().
import { describe, expect, it } from 'vitest';
import { FAILED_TASK_ERROR } from '../../src/mock/server.js';
import { createTask, manualClock, queryStatus, startMock, statusOf, waitFor } from './helpers.js';

describe('status by elapsed time', () => {
  it('is started, then processing from processingAfterMs, then done from doneAfterMs, exactly', async () => {
    const clock = manualClock();
    const mock = await startMock({ now: clock.now, timing: { processingAfterMs: 100, doneAfterMs: 300 } });
    const id = await createTask(mock);
    const created = clock.now();
    const at = async (ms: number) => {
      clock.set(created + ms);
      return statusOf(mock, id);
    };
    expect(await at(0)).toEqual({ status: 'started' });
    expect(await at(99)).toEqual({ status: 'started' });
    expect(await at(100)).toEqual({ status: 'processing' });
    expect(await at(299)).toEqual({ status: 'processing' });
    expect(mock.tasks()[0]?.done_at).toBeUndefined();
    expect(await at(300)).toEqual({ status: 'done', video_url: `${mock.url}/videos/${id}.mp4` });
    expect(mock.tasks()[0]).toMatchObject({ status: 'done', created_at: created, done_at: created + 300 });
  });

  it('sets done_at to created_at + doneAfterMs even when nobody asked at that moment', async () => {
    const clock = manualClock();
    const mock = await startMock({ now: clock.now, timing: { processingAfterMs: 10, doneAfterMs: 50 } });
    const id = await createTask(mock);
    clock.advance(10_000);
    expect((await statusOf(mock, id)).status).toBe('done');
    expect(mock.tasks()[0]?.done_at).toBe(mock.tasks()[0]!.created_at + 50);
  });

  it('progresses in real time with short timings, and gives video_url only when done', async () => {
    const mock = await startMock({ timing: { processingAfterMs: 30, doneAfterMs: 90 } });
    const id = await createTask(mock);
    const replies: Record<string, unknown>[] = [];
    await waitFor(async () => {
      replies.push(await statusOf(mock, id));
      return replies.at(-1)!.status === 'done';
    });
    const order = ['started', 'processing', 'done'];
    const seen = replies.map((r) => order.indexOf(r.status as string));
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    for (const reply of replies.slice(0, -1)) expect(reply).not.toHaveProperty('video_url');
    expect(replies.at(-1)).toEqual({ status: 'done', video_url: `${mock.url}/videos/${id}.mp4` });
    const [task] = mock.tasks();
    expect(task!.done_at).toBe(task!.created_at + 90);
    expect(mock.calls.at(-1)!.at).toBeGreaterThanOrEqual(task!.done_at!);
  });

  it('hands out video URLs under publicUrl when one is given', async () => {
    const clock = manualClock();
    const mock = await startMock({ now: clock.now, publicUrl: 'https://navtalk-mock.example/base/' });
    const id = await createTask(mock);
    clock.advance(60);
    expect(await statusOf(mock, id)).toEqual({ status: 'done', video_url: `https://navtalk-mock.example/base/videos/${id}.mp4` });
  });
});

describe('outcome faults', () => {
  it("'failed': tasks end failed with an error text and no video_url", async () => {
    const clock = manualClock();
    const mock = await startMock({ now: clock.now });
    mock.configure({ faults: { outcome: 'failed' } });
    const id = await createTask(mock);
    clock.advance(30);
    expect(await statusOf(mock, id)).toEqual({ status: 'processing' });
    clock.advance(30);
    expect(await statusOf(mock, id)).toEqual({ status: 'failed', error: FAILED_TASK_ERROR });
    expect(mock.tasks()[0]).toMatchObject({ status: 'failed', error: FAILED_TASK_ERROR });
    expect(mock.tasks()[0]!.done_at).toBe(mock.tasks()[0]!.created_at + 60);
  });

  it("'never': tasks stay processing forever", async () => {
    const clock = manualClock();
    const mock = await startMock({ now: clock.now });
    mock.configure({ faults: { outcome: 'never' } });
    const id = await createTask(mock);
    clock.advance(24 * 3600_000);
    expect(await statusOf(mock, id)).toEqual({ status: 'processing' });
    expect(mock.tasks()[0]!.done_at).toBeUndefined();
  });

  it('clearing an outcome lets waiting tasks finish at the moment of the change', async () => {
    const clock = manualClock();
    const mock = await startMock({ now: clock.now });
    mock.configure({ faults: { outcome: 'never' } });
    const id = await createTask(mock);
    clock.advance(500);
    mock.configure({ faults: { outcome: undefined } });
    const changedAt = clock.now();
    clock.advance(5);
    expect((await statusOf(mock, id)).status).toBe('done');
    expect(mock.tasks()[0]!.done_at).toBe(changedAt);
    expect(mock.config().faults).toEqual({});
  });

  it('a config change never moves a task backwards', async () => {
    const clock = manualClock();
    const mock = await startMock({ now: clock.now });
    const done = await createTask(mock);
    const doneAt = clock.now() + 60;
    clock.advance(30);
    const processing = await createTask(mock);
    clock.advance(30);
    // Neither task was asked about: the change itself must settle them under the old timing.
    mock.configure({ timing: { processingAfterMs: 1000, doneAfterMs: 5000 }, faults: { outcome: 'failed' } });
    clock.advance(1);
    expect(await statusOf(mock, done)).toEqual({ status: 'done', video_url: expect.any(String) });
    expect(mock.tasks().find((t) => t.task_id === done)!.done_at).toBe(doneAt);
    expect(await statusOf(mock, processing)).toEqual({ status: 'processing' });
    const late = await createTask(mock);
    clock.advance(1000);
    expect(await statusOf(mock, late)).toEqual({ status: 'processing' });
    clock.advance(4000);
    expect(await statusOf(mock, late)).toEqual({ status: 'failed', error: FAILED_TASK_ERROR });
  });
});

describe('complete()', () => {
  it('finishes a task now, done or failed, with done_at = that moment', async () => {
    const clock = manualClock();
    const mock = await startMock({ now: clock.now, timing: { processingAfterMs: 1000, doneAfterMs: 60_000 } });
    const a = await createTask(mock);
    const b = await createTask(mock);
    clock.advance(7);
    mock.complete(a);
    mock.complete(b, 'failed');
    expect(await statusOf(mock, a)).toEqual({ status: 'done', video_url: `${mock.url}/videos/${a}.mp4` });
    expect(await statusOf(mock, b)).toEqual({ status: 'failed', error: FAILED_TASK_ERROR });
    for (const task of mock.tasks()) expect(task.done_at).toBe(task.created_at + 7);
  });

  it('finishes a task that the never outcome holds', async () => {
    const mock = await startMock();
    mock.configure({ faults: { outcome: 'never' } });
    const id = await createTask(mock);
    mock.complete(id);
    expect((await statusOf(mock, id)).status).toBe('done');
  });

  it('is a no-op on a task already ended the same way, and throws otherwise or for unknown ids', async () => {
    const clock = manualClock();
    const mock = await startMock({ now: clock.now });
    const id = await createTask(mock);
    clock.advance(60);
    mock.complete(id, 'done');
    expect(mock.tasks()[0]!.done_at).toBe(clock.now());
    expect(() => mock.complete(id, 'failed')).toThrow(/already ended done/);
    expect(() => mock.complete('nope')).toThrow(/task not found/);
  });
});

describe('reset()', () => {
  it('clears calls, tasks and faults and restores the start timing', async () => {
    const mock = await startMock({ timing: { processingAfterMs: 11, doneAfterMs: 22 } });
    const calls = mock.calls;
    const id = await createTask(mock);
    mock.configure({
      timing: { doneAfterMs: 99 },
      faults: { query: { kind: '503' }, outcome: 'never', video: '404' },
    });
    expect(mock.config().timing).toEqual({ processingAfterMs: 11, doneAfterMs: 99 });
    mock.reset();
    expect(mock.calls).toBe(calls);
    expect(calls).toEqual([]);
    expect(mock.tasks()).toEqual([]);
    expect(mock.config()).toEqual({ timing: { processingAfterMs: 11, doneAfterMs: 22 }, faults: {} });
    expect((await queryStatus(mock, id)).status).toBe(404);
    // A poll of a task from before the reset (an earlier test's proxy still polling) is not counted.
    expect(calls).toEqual([]);
    await queryStatus(mock, 'never-made');
    expect(calls).toHaveLength(1);
  });
});

describe('configure()', () => {
  it('shallow-merges timing and faults', async () => {
    const mock = await startMock();
    mock.configure({ timing: { doneAfterMs: 500 }, faults: { outcome: 'failed' } });
    mock.configure({ faults: { video: '404' } });
    expect(mock.config()).toEqual({
      timing: { processingAfterMs: 20, doneAfterMs: 500 },
      faults: { outcome: 'failed', video: '404' },
    });
  });

  it('throws on an invalid patch and keeps the config', async () => {
    const mock = await startMock();
    const before = mock.config();
    const bad: unknown[] = [
      { timing: { doneAfterMs: -1 } },
      { timing: { processingAfterMs: 'soon' } },
      { faults: { generate: { kind: '418' } } },
      { faults: { query: { kind: '429', times: 0 } } },
      { faults: { query: { kind: '429', retryAfter: 1.5 } } },
      { faults: { outcome: 'maybe' } },
      { faults: { video: '500' } },
      { faults: { upload: { kind: '500' } } },
    ];
    for (const patch of bad) expect(() => mock.configure(patch as never)).toThrow();
    expect(mock.config()).toEqual(before);
  });
});
