/** The portable handler with its in-memory stores, talking to a real mock NavTalk over HTTP. */
import { afterEach, beforeEach, expect } from 'vitest';
import { startMockNavTalk, type MockCall, type MockNavTalk } from '../../src/mock/server.js';
import type { TaskState } from '../../src/protocol/index.js';
import { configFromEnv, createProxyHandler, type ProxyHandler, type ProxyHandlerOptions } from '../../src/proxy/index.js';
import { FAST_TIMING, ORIGIN, ResponseLog, TEST_ENV } from './cases.js';

export const ENDPOINT = 'https://proxy.example/api/navtalk';

export interface Harness {
  mock: MockNavTalk;
  responses: ResponseLog;
  logs: string[];
}

/**
 * Starts a mock of its own for each test: the polls and copies that an earlier test's handlers still have
 * scheduled then reach a closed port, never this test's mock and its call counts. After each test, no response
 * so far carried the key or an upstream task id, and no log line the key.
 */
export function useMock(): Harness {
  const harness = { responses: new ResponseLog(), logs: [] as string[] } as Harness;
  beforeEach(async () => {
    harness.mock = await startMockNavTalk({ timing: FAST_TIMING });
  });
  afterEach(async () => {
    const upstreamIds = harness.mock.tasks().map((t) => t.task_id);
    try {
      expect(harness.responses.leaks(harness.mock.license, upstreamIds)).toEqual([]);
      expect(harness.logs.filter((line) => line.includes(harness.mock.license))).toEqual([]);
    } finally {
      await harness.mock.close();
    }
  });
  return harness;
}

export interface Proxy {
  handler: ProxyHandler;
  /** `query`: a search string for the POST, e.g. `?recheck=1`. */
  post(body: unknown, init?: { origin?: string | null; headers?: Record<string, string>; query?: string }): Promise<Response>;
  get(taskId: string, query?: Record<string, string>, origin?: string | null): Promise<Response>;
  /** Polls with GET until the task is finished. */
  settle(taskId: string): Promise<TaskState>;
}

export function makeProxy(h: Harness, env: Record<string, string> = {}, options: Partial<ProxyHandlerOptions> = {}): Proxy {
  const config = configFromEnv({ ...TEST_ENV, NAVTALK_API_KEY: h.mock.license, NAVTALK_BASE_URL: h.mock.url, ...env });
  const handler = createProxyHandler({
    config,
    log: (level, event, fields) => h.logs.push(JSON.stringify({ level, event, ...fields })),
    ...options,
  });
  const withOrigin = (origin: string | null | undefined): Record<string, string> => {
    const value = origin === undefined ? ORIGIN : origin;
    return value ? { origin: value } : {};
  };
  const proxy: Proxy = {
    handler,
    async post(body, init = {}) {
      const headers = { 'content-type': 'application/json', ...withOrigin(init.origin), ...init.headers };
      return h.responses.keep(await handler(new Request(`${ENDPOINT}${init.query ?? ''}`, { method: 'POST', headers, body: JSON.stringify(body) })));
    },
    async get(taskId, query = {}, origin) {
      const url = `${ENDPOINT}?${new URLSearchParams({ task_id: taskId, ...query })}`;
      return h.responses.keep(await handler(new Request(url, { headers: withOrigin(origin) })));
    },
    async settle(taskId) {
      for (;;) {
        const state = (await (await proxy.get(taskId, { wait: '5' })).json()) as TaskState;
        if (state.status === 'done' || state.status === 'failed') return state;
      }
    },
  };
  return proxy;
}

export const generateCalls = (calls: MockCall[]) => calls.filter((c) => c.path === '/generate');
export const queryCalls = (calls: MockCall[]) => calls.filter((c) => c.path === '/query_status');
