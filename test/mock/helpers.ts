import { readFileSync } from 'node:fs';
import { afterEach } from 'vitest';
import { SAMPLES_DIR, startMockNavTalk, type MockNavTalk, type MockOptions } from '../../src/mock/server.js';

export const sample = (name: string): Buffer => readFileSync(new URL(name, SAMPLES_DIR));

const started: MockNavTalk[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((m) => m.close()));
});

/** A mock closed after the test. Short default timings, so tests finish in milliseconds. */
export async function startMock(opts: MockOptions = {}): Promise<MockNavTalk> {
  const mock = await startMockNavTalk({ ...opts, timing: { processingAfterMs: 20, doneAfterMs: 60, ...opts.timing } });
  started.push(mock);
  return mock;
}

/** A clock that moves only when told, for exact status boundaries. */
export function manualClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, set: (ms: number) => void (t = ms), advance: (ms: number) => void (t += ms) };
}

/** A valid /generate body (image + text), with the mock's license. */
export const validBody = (mock: MockNavTalk, extra: Record<string, unknown> = {}) => ({
  license: mock.license,
  image_url: `${mock.url}/samples/face.png`,
  content: 'Hello! I am your NavTalk avatar.',
  voice: 'echo',
  ...extra,
});

export function postGenerate(mock: MockNavTalk, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(`${mock.url}/generate`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

export function queryStatus(mock: MockNavTalk, taskId: string, license = mock.license, init: RequestInit = {}): Promise<Response> {
  const params = new URLSearchParams({ license, task_id: taskId });
  return fetch(`${mock.url}/query_status?${params}`, init);
}

/** Creates a task and returns its id. */
export async function createTask(mock: MockNavTalk, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await postGenerate(mock, validBody(mock, extra));
  if (res.status !== 200) throw new Error(`generate answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { task_id: string }).task_id;
}

export async function statusOf(mock: MockNavTalk, taskId: string): Promise<Record<string, unknown>> {
  const res = await queryStatus(mock, taskId);
  if (res.status !== 200) throw new Error(`query_status answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

/** Polls a condition every few ms until it holds (or fails the test after `timeoutMs`). */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
