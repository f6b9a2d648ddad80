// What a viewer waits for on Redis: never the video copy, and not a polling step when another process saw the change.
// Two "processes" are two sets of stores (each with its own subscriber connection) on one real redis-server.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../../scripts/lib/node-proxy.js';
import { startMockNavTalk, type MockNavTalk } from '../../src/mock/server.js';
import { taskStateSchema, type GenerateRequest } from '../../src/protocol/index.js';
import { configFromEnv, createProxyHandler, MemoryResultStore, type ResultStore } from '../../src/proxy/index.js';
import { ioredisCommands, redisStores } from '../../src/proxy/redis.js';

const ORIGIN = 'https://site.example';
const ENDPOINT = 'https://proxy.example/api';

let server: RedisServer;
let mock: MockNavTalk;
const connections: Redis[] = [];
beforeAll(async () => {
  server = await startRedis();
  mock = await startMockNavTalk({ timing: { processingAfterMs: 50, doneAfterMs: 300 } });
});
afterAll(async () => {
  connections.forEach((c) => c.disconnect());
  await mock?.close();
  await server?.stop();
});

const connect = () => {
  const connection = new Redis(server.url);
  connections.push(connection);
  return connection;
};

let prefixes = 0;
/** One process of the proxy: its own connections, sharing Redis (under one prefix per test) with the others. */
function processes(count: number, results: ResultStore = new MemoryResultStore(), vars: Record<string, string> = {}) {
  const prefix = `w${++prefixes}:`;
  const config = configFromEnv({
    NAVTALK_API_KEY: mock.license, NAVTALK_BASE_URL: mock.url, ALLOWED_ORIGINS: ORIGIN, AUTH_MODE: 'open', TRUSTED_MEDIA_ORIGINS: mock.url, ...vars,
  });
  return Array.from({ length: count }, () => {
    const connection = connect();
    const commands = { sent: 0 };
    const counted = { call: (command: string, ...args: (string | number)[]) => (commands.sent++, connection.call(command, ...args)) };
    const stores = redisStores({ redis: ioredisCommands(counted, connect()), config, prefix, results });
    const handler = createProxyHandler({ config, ...stores, results });
    const call = async (url: string, init: RequestInit = {}) => {
      const response = await handler(new Request(url, { ...init, headers: { origin: ORIGIN, 'content-type': 'application/json', ...init.headers } }));
      return taskStateSchema.parse(await response.json());
    };
    return {
      commands,
      post: (body: GenerateRequest) => call(ENDPOINT, { method: 'POST', body: JSON.stringify(body) }),
      wait: (taskId: string, status: string, seconds = 10) => call(`${ENDPOINT}?task_id=${taskId}&wait=${seconds}&status=${status}`),
      get: (taskId: string) => call(`${ENDPOINT}?task_id=${taskId}`),
    };
  });
}

/** A result store whose writes wait until the test lets them through. */
function heldStore() {
  const inner = new MemoryResultStore();
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let writes = 0;
  const store: ResultStore = {
    async put(id, body, info) {
      writes++;
      await released;
      return inner.put(id, body, info);
    },
    head: (id) => inner.head(id),
    get: (id, range) => inner.get(id, range),
    delete: (id) => inner.delete(id),
    list: (options) => inner.list(options),
  };
  return { store, release, writes: () => writes };
}

const script = (content: string): GenerateRequest => ({ character_name: 'navtalk.Leo', content, voice: 'echo' });

describe('waiting on Redis', () => {
  it('the first done is answered with NavTalk\'s URL while the copy is still being made; later answers have the stored copy', async () => {
    const held = heldStore();
    const [only] = processes(1, held.store, { UPSTREAM_POLL_INTERVAL_MS: '100' });
    const started = await only!.post(script(`Copy beside ${Date.now()}.`));
    let state = started;
    while (state.status !== 'done') state = await only!.wait(started.task_id, state.status);
    expect(state.video_url).toMatch(new RegExp(`^${mock.url}/videos/`));
    // The copy reaches the store and is held there: done was answered without it, and is still NavTalk's URL meanwhile.
    for (let i = 0; i < 100 && held.writes() === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(held.writes()).toBe(1);
    expect((await only!.get(started.task_id)).video_url).toBe(state.video_url);
    held.release();
    for (let i = 0; i < 100 && !state.video_url!.startsWith(ENDPOINT); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      state = await only!.get(started.task_id);
    }
    expect(state.video_url).toMatch(new RegExp(`^${ENDPOINT}\\?video=`));
    expect(held.writes()).toBe(1); // copied once
  });

  it('a long-poll costs Redis nothing while it waits, and wakes as soon as another process saw the task change', async () => {
    // Polls NavTalk every minute, so neither process polls on its own during the test: the test says when.
    const [a, b] = processes(2, new MemoryResultStore(), { UPSTREAM_POLL_INTERVAL_MS: '60000' });
    const started = await a!.post(script(`Wake at once ${Date.now()}.`));
    await new Promise((resolve) => setTimeout(resolve, 400)); // NavTalk is done by now (doneAfterMs 300)
    const waiting = b!.wait(started.task_id, 'started', 20).then((state) => ({ state, at: Date.now() }));
    // A held long-poll costs Redis nothing while nothing changes: no look every 100 ms.
    const sentBefore = b!.commands.sent;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(b!.commands.sent - sentBefore).toBeLessThanOrEqual(3);
    // Make the poll due now, and let process A make it (a status request ticks a due task).
    const raw = connect();
    const dueKey = (await raw.keys(`w${prefixes}:due:*`))[0]!;
    await raw.set(dueKey, String(Date.now()), 'KEEPTTL');
    expect((await a!.get(started.task_id)).status).toBe('done');
    const tickedAt = Date.now();
    const woken = await waiting;
    expect(woken.state.status).toBe('done');
    // Without the notification B would look again only after its safety step (2 s).
    expect(woken.at - tickedAt).toBeLessThan(500);
  });
});
