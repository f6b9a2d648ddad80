// The script-dependent workload: durations from the script's speech, the seed, noise, failures, stragglers,
// per-task outliers (setTaskDuration), onTask, and its configuration in code and over HTTP (the CLI: control.test.ts).
import { describe, expect, it } from 'vitest';
import { FAILED_TASK_ERROR } from '../../src/mock/server.js';
import { AUDIO_URL_SPEECH_MS, DEFAULT_WORKLOAD, mulberry32, planner, speechMs, type MockWorkload } from '../../src/mock/workload.js';
import { createTask, manualClock, sample, startMock, statusOf } from './helpers.js';

/** A script of exactly `chars` characters: chars / 15 seconds of speech. */
const script = (chars: number, tag = '') => `${tag}${'x'.repeat(chars - tag.length)}`;
const steady: Partial<MockWorkload> = { overheadMs: 1000, factor: 0.5, noise: 0 };
const workload = (patch: Partial<MockWorkload>): MockWorkload => ({ ...DEFAULT_WORKLOAD, ...patch });
const bodies = (n: number) => Array.from({ length: n }, (_, i) => ({ content: script(150, `script ${i}: `) }));

describe('durations from the script', () => {
  it('a task ends after overhead + factor x speech (150 characters: 10 s of speech), exactly', async () => {
    const clock = manualClock();
    const mock = await startMock({ now: clock.now, timing: { processingAfterMs: 100 }, workload: steady });
    const id = await createTask(mock, { content: script(150) });
    expect(mock.tasks()[0]).toMatchObject({ speech_ms: 10_000, ends_after_ms: 6000, planned_outcome: 'done', straggler: false });
    const created = clock.now();
    clock.set(created + 100);
    expect(await statusOf(mock, id)).toEqual({ status: 'processing' });
    clock.set(created + 5999);
    expect(await statusOf(mock, id)).toEqual({ status: 'processing' });
    clock.set(created + 6000);
    expect((await statusOf(mock, id)).status).toBe('done');
    expect(mock.tasks()[0]!.done_at).toBe(created + 6000);
  });

  it('longer scripts take longer; timing.doneAfterMs does not apply, and a task shorter than processingAfterMs skips processing', async () => {
    const clock = manualClock();
    const mock = await startMock({ now: clock.now, timing: { processingAfterMs: 2000, doneAfterMs: 60 }, workload: { overheadMs: 500, factor: 1, noise: 0 } });
    const short = await createTask(mock, { content: script(15) });
    const long = await createTask(mock, { content: script(300) });
    expect(mock.tasks().map((t) => t.ends_after_ms)).toEqual([1500, 20_500]);
    clock.advance(1500);
    expect((await statusOf(mock, short)).status).toBe('done');
    expect(await statusOf(mock, long)).toEqual({ status: 'started' });
  });

  it('reads speech from audio too: WAV from its header, other audio at 48 kbit/s, an audio_url as 10 s', () => {
    const wav = speechMs({ audio_base64: sample('voice.wav').toString('base64') });
    expect(wav).toBeGreaterThan(6700);
    expect(wav).toBeLessThan(6900);
    expect(speechMs({ audio_base64: sample('voice.mp3').toString('base64') })).toBe((sample('voice.mp3').length / 6000) * 1000);
    expect(speechMs({ audio_url: 'https://example.com/a.mp3' })).toBe(AUDIO_URL_SPEECH_MS);
    expect(speechMs({ content: '  twelve chars  ' })).toBe(800);
  });
});

describe('the seeded draws', () => {
  it('replay from the seed whatever the order of requests; another seed draws otherwise', () => {
    const list = bodies(50);
    const ends = (seed: number, order: typeof list) => {
      const plan = planner(workload({ seed, failureRate: 0.2, stragglerRate: 0.2 }));
      return new Map(order.map((b) => [b.content, plan(b)]));
    };
    const forward = ends(7, list);
    expect(ends(7, [...list].reverse())).toEqual(forward);
    const other = ends(8, list);
    expect(list.filter((b) => other.get(b.content)!.endsAfterMs !== forward.get(b.content)!.endsAfterMs).length).toBeGreaterThan(40);
  });

  it('repeats of one script draw anew, and replay too', () => {
    const draw = () => {
      const plan = planner(workload({ seed: 3, noise: 0.3 }));
      return Array.from({ length: 20 }, () => plan({ content: 'the same script' }).endsAfterMs);
    };
    expect(new Set(draw()).size).toBe(20);
    expect(draw()).toEqual(draw());
  });

  it('noise is log-normal with median 1 and the given sigma', () => {
    const plan = planner(workload({ seed: 11, ...steady, noise: 0.2 }));
    const logs = bodies(4000).map((b) => Math.log(plan(b).endsAfterMs / 6000));
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / logs.length);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(sd).toBeGreaterThan(0.19);
    expect(sd).toBeLessThan(0.21);
  });

  it('fails failureRate of the tasks, each at a point of its run; stragglerRate take stragglerFactor times as long', () => {
    const plan = planner(workload({ seed: 5, ...steady, failureRate: 0.05, stragglerRate: 0.02, stragglerFactor: 3 }));
    const plans = bodies(4000).map((b) => plan(b));
    const failed = plans.filter((p) => p.outcome === 'failed');
    const stragglers = plans.filter((p) => p.straggler);
    expect(failed.length / plans.length).toBeCloseTo(0.05, 2);
    expect(stragglers.length / plans.length).toBeCloseTo(0.02, 2);
    for (const p of failed) expect(p.endsAfterMs).toBeLessThanOrEqual(p.straggler ? 18_000 : 6000);
    // Failures spread over the run, not all at its end.
    expect(failed.filter((p) => !p.straggler && p.endsAfterMs < 3000).length / failed.length).toBeCloseTo(0.5, 1);
    for (const p of stragglers.filter((s) => s.outcome === 'done')) expect(p.endsAfterMs).toBe(18_000);
    for (const p of plans.filter((s) => s.outcome === 'done' && !s.straggler)) expect(p.endsAfterMs).toBe(6000);
  });

  it('mulberry32 is uniform in [0, 1) and replays from its seed', () => {
    const a = mulberry32(42);
    const values = Array.from({ length: 10_000 }, a);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(values.reduce((s, v) => s + v, 0) / values.length).toBeCloseTo(0.5, 1);
    const b = mulberry32(42);
    expect(Array.from({ length: 5 }, b)).toEqual(values.slice(0, 5));
  });
});

describe('a planned failure over HTTP', () => {
  it('ends failed with NavTalk error text at its point; a fault on outcome overrides the plan', async () => {
    const clock = manualClock();
    const mock = await startMock({ now: clock.now, workload: { ...steady, failureRate: 1 } });
    const id = await createTask(mock, { content: script(150) });
    const { ends_after_ms: endsAfter } = mock.tasks()[0]!;
    expect(endsAfter).toBeLessThanOrEqual(6000);
    clock.advance(endsAfter! - 1);
    expect((await statusOf(mock, id)).status).not.toBe('failed');
    clock.advance(1);
    expect(await statusOf(mock, id)).toEqual({ status: 'failed', error: FAILED_TASK_ERROR });
    mock.configure({ faults: { outcome: 'never' } });
    const held = await createTask(mock, { content: script(150) });
    clock.advance(60_000);
    expect(await statusOf(mock, held)).toEqual({ status: 'processing' });
  });
});

describe('setTaskDuration() and onTask()', () => {
  it('an outlier: a listener sets a new task to twice its planned time before anyone can poll', async () => {
    const clock = manualClock();
    const mock = await startMock({ now: clock.now, workload: steady });
    const seen: string[] = [];
    const stop = mock.onTask((task) => {
      seen.push(task.task_id);
      mock.setTaskDuration(task.task_id, 2 * task.ends_after_ms!);
    });
    const id = await createTask(mock, { content: script(150) });
    expect(seen).toEqual([id]);
    clock.advance(11_999);
    expect((await statusOf(mock, id)).status).toBe('processing');
    clock.advance(1);
    expect((await statusOf(mock, id)).status).toBe('done');
    expect(mock.tasks()[0]).toMatchObject({ ends_after_ms: 12_000, done_at: mock.tasks()[0]!.created_at + 12_000 });
    stop();
    await createTask(mock);
    expect(seen).toEqual([id]);
  });

  it('works without a workload; a time already past ends the task now; ended or unknown tasks throw', async () => {
    const clock = manualClock();
    const mock = await startMock({ now: clock.now, timing: { processingAfterMs: 10, doneAfterMs: 1000 } });
    const id = await createTask(mock);
    clock.advance(500);
    mock.setTaskDuration(id, 100);
    expect((await statusOf(mock, id)).status).toBe('done');
    expect(mock.tasks()[0]!.done_at).toBe(clock.now());
    expect(() => mock.setTaskDuration(id, 5000)).toThrow(/already ended done/);
    expect(() => mock.setTaskDuration('nope', 5000)).toThrow(/task not found/);
    const other = await createTask(mock);
    expect(() => mock.setTaskDuration(other, -1)).toThrow(/ms must be a number of ms >= 0/);
  });

  it('POST /__mock/tasks/<id>/duration sets it over HTTP', async () => {
    const mock = await startMock({ timing: { processingAfterMs: 60_000, doneAfterMs: 120_000 } });
    const id = await createTask(mock);
    const post = (route: string, body: unknown) => fetch(`${mock.url}/__mock/${route}`, { method: 'POST', body: JSON.stringify(body) });
    const res = await post(`tasks/${id}/duration`, { ms: 300_000 });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ task_id: id, ends_after_ms: 300_000 });
    expect((await post(`tasks/${id}/duration`, { ms: 'soon' })).status).toBe(400);
    expect((await post(`tasks/${id}/duration`, [])).status).toBe(400);
    expect((await post('tasks/nope/duration', { ms: 1 })).status).toBe(404);
    expect((await post(`tasks/${id}/duration`, { ms: 0 })).status).toBe(200);
    expect((await post(`tasks/${id}/duration`, { ms: 1 })).status).toBe(409);
  });
});

describe('configuring a workload', () => {
  it('configure() lays a partial workload over the current one (or the defaults); undefined turns it off; reset() restores the start one', async () => {
    const mock = await startMock({ workload: { seed: 9 } });
    expect(mock.config().workload).toEqual({ ...DEFAULT_WORKLOAD, seed: 9 });
    mock.configure({ workload: { failureRate: 0.05 } });
    mock.configure({ timing: { doneAfterMs: 70 } });
    expect(mock.config().workload).toEqual({ ...DEFAULT_WORKLOAD, seed: 9, failureRate: 0.05 });
    mock.configure({ workload: undefined });
    expect(mock.config()).not.toHaveProperty('workload');
    mock.configure({ workload: { noise: 0 } });
    expect(mock.config().workload).toEqual({ ...DEFAULT_WORKLOAD, noise: 0 });
    mock.reset();
    expect(mock.config().workload).toEqual({ ...DEFAULT_WORKLOAD, seed: 9 });
  });

  it('a task keeps the duration drawn at its creation when the workload changes', async () => {
    const clock = manualClock();
    const mock = await startMock({ now: clock.now, workload: steady });
    const id = await createTask(mock, { content: script(150) });
    mock.configure({ workload: { factor: 5 } });
    clock.advance(6000);
    expect((await statusOf(mock, id)).status).toBe('done');
  });

  it.each([
    [{ seed: -1 }, 'workload.seed must be a whole number from 0 to 4294967295, got -1'],
    [{ seed: 1.5 }, 'workload.seed must be a whole number'],
    [{ factor: 'big' }, 'workload.factor must be a number from 0 to 100'],
    [{ noise: 3 }, 'workload.noise must be a number from 0 to 2'],
    [{ failureRate: 1.2 }, 'workload.failureRate must be a fraction from 0 to 1'],
    [{ stragglerFactor: 0.5 }, 'workload.stragglerFactor must be a number from 1 to 100'],
    [{ overheadMs: Number.NaN }, 'workload.overheadMs must be a number of ms'],
    [{ speed: 2 }, 'unknown workload field speed (known: seed, overheadMs'],
    [[1], 'workload must be an object'],
  ])('refuses %j with a specific message and keeps the config', async (patch, message) => {
    const mock = await startMock({ workload: { seed: 2 } });
    const before = mock.config();
    expect(() => mock.configure({ workload: patch as never })).toThrow(message);
    expect(mock.config()).toEqual(before);
  });

  it('POST /__mock/config sets a workload, refuses a bad one with 400 and its reason, and null turns it off', async () => {
    const mock = await startMock();
    const post = (body: unknown) => fetch(`${mock.url}/__mock/config`, { method: 'POST', body: JSON.stringify(body) });
    const set = await post({ workload: { seed: 4, stragglerRate: 0.02 } });
    expect(((await set.json()) as { workload: unknown }).workload).toEqual({ ...DEFAULT_WORKLOAD, seed: 4, stragglerRate: 0.02 });
    const bad = await post({ workload: { stragglerRate: 2 } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'workload.stragglerRate must be a fraction from 0 to 1, got 2' });
    const off = await post({ workload: null });
    expect(await off.json()).not.toHaveProperty('workload');
  });
});
