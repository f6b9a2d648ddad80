// The /__mock/ control routes over HTTP (for other processes) and the CLI.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it, onTestFinished } from 'vitest';
import { FAILED_TASK_ERROR, type MockNavTalk } from '../../src/mock/server.js';
import { createTask, postGenerate, startMock, statusOf, validBody } from './helpers.js';

function control(mock: MockNavTalk, route: string, body?: unknown): Promise<Response> {
  return fetch(`${mock.url}/__mock/${route}`, body === undefined
    ? { method: route === 'reset' ? 'POST' : 'GET' }
    : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

describe('control routes', () => {
  it('POST /__mock/config sets faults and timing (shallow merge) and answers the config; GET reads it', async () => {
    const mock = await startMock();
    const res = await control(mock, 'config', { timing: { doneAfterMs: 5000 }, faults: { generate: { kind: '503', times: 1 } } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const expected = { timing: { processingAfterMs: 20, doneAfterMs: 5000 }, faults: { generate: { kind: '503', times: 1 } } };
    expect(await res.json()).toEqual(expected);
    expect(await (await control(mock, 'config')).json()).toEqual(expected);
    expect((await postGenerate(mock, validBody(mock))).status).toBe(503);
    expect((await postGenerate(mock, validBody(mock))).status).toBe(200);
  });

  it('null clears a fault over HTTP', async () => {
    const mock = await startMock();
    await control(mock, 'config', { faults: { query: { kind: 'timeout' }, outcome: 'never' } });
    const res = await control(mock, 'config', { faults: { query: null } });
    expect(((await res.json()) as { faults: unknown }).faults).toEqual({ outcome: 'never' });
  });

  it.each([
    ['not JSON', '{faults:'],
    ['an unknown fault kind', { faults: { generate: { kind: '418' } } }],
    ['an unknown fault', { faults: { upload: { kind: '500' } } }],
    ['a negative timing', { timing: { doneAfterMs: -5 } }],
    ['an array', [1]],
  ])('POST /__mock/config refuses %s with 400 and keeps the config', async (_name, body) => {
    const mock = await startMock();
    const res = await control(mock, 'config', body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error.length).toBeGreaterThan(0);
    expect(mock.config()).toEqual({ timing: { processingAfterMs: 20, doneAfterMs: 60 }, faults: {} });
  });

  it('GET /__mock/calls and /__mock/tasks answer what the mock saw', async () => {
    // Tasks that stay put while the test reads them twice, however slowly a loaded machine runs it.
    const mock = await startMock({ timing: { processingAfterMs: 60_000, doneAfterMs: 120_000 } });
    const id = await createTask(mock);
    await statusOf(mock, id);
    const calls = (await (await control(mock, 'calls')).json()) as { method: string; path: string; query: Record<string, string>; body: unknown }[];
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /generate', 'GET /query_status']);
    expect(calls[0]!.body).toEqual(validBody(mock));
    expect(calls[1]!.query).toEqual({ license: mock.license, task_id: id });
    const tasks = (await (await control(mock, 'tasks')).json()) as { task_id: string }[];
    expect(tasks).toEqual(JSON.parse(JSON.stringify(mock.tasks())));
    expect(tasks.map((t) => t.task_id)).toEqual([id]);
  });

  it('POST /__mock/tasks/<id>/complete finishes a task (done by default, or {status: "failed"})', async () => {
    const mock = await startMock({ timing: { processingAfterMs: 60_000, doneAfterMs: 120_000 } });
    const a = await createTask(mock);
    const b = await createTask(mock);
    const done = await fetch(`${mock.url}/__mock/tasks/${a}/complete`, { method: 'POST' });
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ task_id: a, status: 'done', done_at: expect.any(Number) });
    expect((await control(mock, `tasks/${b}/complete`, { status: 'failed' })).status).toBe(200);
    expect(await statusOf(mock, a)).toMatchObject({ status: 'done' });
    expect(await statusOf(mock, b)).toEqual({ status: 'failed', error: FAILED_TASK_ERROR });
    expect((await control(mock, `tasks/${b}/complete`, { status: 'done' })).status).toBe(409);
    expect((await control(mock, `tasks/${a}/complete`, { status: 'finished' })).status).toBe(400);
    expect((await control(mock, 'tasks/nope/complete', {})).status).toBe(404);
  });

  it('POST /__mock/reset clears calls, tasks and faults', async () => {
    const mock = await startMock();
    await createTask(mock);
    await control(mock, 'config', { faults: { outcome: 'failed' } });
    const res = await control(mock, 'reset');
    expect(res.status).toBe(200);
    expect(mock.calls).toEqual([]);
    expect(await (await control(mock, 'tasks')).json()).toEqual([]);
    expect(mock.config().faults).toEqual({});
  });

  it('answers a CORS preflight and 404 for unknown control routes; control calls are not recorded', async () => {
    const mock = await startMock();
    const preflight = await fetch(`${mock.url}/__mock/config`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect((await control(mock, 'nope')).status).toBe(404);
    expect((await fetch(`${mock.url}/__mock/calls`, { method: 'DELETE' })).status).toBe(404);
    expect(mock.calls).toEqual([]);
  });
});

describe('CLI (npm run mock)', () => {
  const cli = (...args: string[]) =>
    spawn(process.execPath, ['--import', 'tsx', 'src/mock/cli.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });

  it.each(['SIGTERM', 'SIGINT'] as const)('prints its URL, serves NavTalk with its options, and stops cleanly on %s', async (signal) => {
    const child = cli('--port', '0', '--processing-after', '0', '--done-after', '0', '--license', 'sk_cli');
    onTestFinished(() => void (child.exitCode === null && child.kill('SIGKILL')));
    let out = '';
    child.stdout.setEncoding('utf8');
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        const m = /NavTalk mock listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', () => reject(new Error(`the CLI exited early: ${out}`)));
    });
    const res = await fetch(`${url}/generate`, {
      method: 'POST',
      body: JSON.stringify({ license: 'sk_cli', character_name: 'navtalk.Ava', content: 'Hi', voice: 'coral' }),
    });
    const { task_id } = (await res.json()) as { task_id: string };
    const status = await fetch(`${url}/query_status?license=sk_cli&task_id=${task_id}`);
    expect(await status.json()).toEqual({ status: 'done', video_url: `${url}/videos/${task_id}.mp4` });
    const exited = once(child, 'exit');
    child.kill(signal);
    expect((await exited)[0]).toBe(0);
    expect(out).toContain(`stopping (${signal})`);
  });

  it('refuses a bad option with exit code 2 and the usage', async () => {
    const child = cli('--done-after', 'soon');
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(err).toContain('--done-after must be a number');
    expect(err).toContain('usage: npm run mock');
  });

  it('takes a workload as JSON, and refuses an invalid one with exit code 2 and the reason', async () => {
    const child = cli('--port', '0', '--workload', '{"seed":-1}');
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(err).toContain('workload.seed must be a whole number from 0 to 4294967295, got -1');
  });
});
