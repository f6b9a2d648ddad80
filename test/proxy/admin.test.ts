// The operator's routes on the portable handler with its in-memory stores, mounted at a path, and the list of the
// memory and folder result stores.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileResultStore } from '../../src/node/index.js';
import type { TaskState } from '../../src/protocol/index.js';
import type { UsageAnswer } from '../../src/proxy/admin.js';
import { MemoryResultStore } from '../../src/proxy/index.js';
import {
  ADMIN_TOKEN, adminRequest, adminTests, listsInPages, type AdminTarget,
} from './admin-cases.js';
import { signed, textBody } from './cases.js';
import { ENDPOINT, generateCalls, makeProxy, useMock } from './harness.js';

const h = useMock();
const folder = mkdtempSync(join(tmpdir(), 'navtalk-admin-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function target(env: Record<string, string> = {}): AdminTarget {
  const proxy = makeProxy(h, { ADMIN_TOKEN, DAILY_GENERATION_LIMIT: '3', RATE_LIMIT_PER_MINUTE: '5', ...env }, { results: new MemoryResultStore() });
  return {
    endpoint: ENDPOINT,
    send: async (request) => h.responses.keep(await proxy.handler(request)),
    generations: async () => generateCalls(h.mock.calls).length,
    previewFetches: async () => h.mock.calls.filter((c) => c.path.startsWith('/uploadFiles/')).length,
    license: h.mock.license,
  };
}

describe('admin routes on the portable handler', () => {
  it('do not exist without ADMIN_TOKEN: ?admin= is an ordinary request', async () => {
    const t = target({ ADMIN_TOKEN: '' });
    const get = await t.send(adminRequest(t, 'usage'));
    expect([get.status, get.headers.has('x-navtalk-admin')]).toEqual([404, false]);
    expect(((await get.json()) as { error: { message: string } }).error.message).toMatch(/No such task/);
    expect((await t.send(adminRequest(t, 'results', { method: 'DELETE', params: { id: 'A'.repeat(43) } }))).status).toBe(405);
  });

  it('a token shorter than 24 characters is a configuration problem', async () => {
    const t = target({ ADMIN_TOKEN: 'too-short' });
    expect((await t.send(adminRequest(t, 'usage', { token: 'too-short' }))).status).toBe(500);
  });

  adminTests(target, { tag: 'memory', stores: 'memory' });

  it('count a task as running until it is done, and do not delete it meanwhile (409)', async () => {
    h.mock.configure({ timing: { processingAfterMs: 50, doneAfterMs: 1000 } });
    const t = target();
    const started = (await (await t.send(new Request(ENDPOINT, {
      method: 'POST', headers: { origin: 'https://site.example', 'content-type': 'application/json' }, body: JSON.stringify(await signed(textBody('running'))),
    }))).json()) as TaskState;
    const usage = async () => (await (await t.send(adminRequest(t, 'usage'))).json()) as UsageAnswer;
    expect((await usage()).running).toBe(1);
    const busy = await t.send(adminRequest(t, 'results', { method: 'DELETE', params: { id: started.task_id } }));
    expect(busy.status).toBe(409);
    const done = (await (await t.send(new Request(`${ENDPOINT}?task_id=${started.task_id}&wait=5&status=${started.status}`))).json()) as TaskState;
    const finished = done.status === 'done' ? done : ((await (await t.send(new Request(`${ENDPOINT}?task_id=${started.task_id}&wait=5&status=${done.status}`))).json()) as TaskState);
    expect(finished.status).toBe('done');
    expect((await usage()).running).toBe(0);
    const deleted = await t.send(adminRequest(t, 'results', { method: 'DELETE', params: { id: started.task_id } }));
    expect([deleted.status, ((await deleted.json()) as { task: boolean }).task]).toEqual([200, true]);
  });
});

describe('result stores list their videos a page at a time', () => {
  it('in memory', async () => {
    await listsInPages(new MemoryResultStore());
  });

  it('in a folder (a description beside each video)', async () => {
    await listsInPages(new FileResultStore(join(folder, 'list')));
  });
});
