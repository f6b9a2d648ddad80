// `GET {endpoint}?script=...` over the Redis task store, on a real redis-server: two processes of the proxy, one Redis.
// A script made through one is served by the other; an unmade one is 404 and leaves nothing in Redis.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../../scripts/lib/node-proxy.js';
import { startMockNavTalk, type MockNavTalk } from '../../src/mock/server.js';
import { scriptUrl, taskStateSchema, type GenerateRequest } from '../../src/protocol/index.js';
import { configFromEnv, createProxyHandler, MemoryResultStore, type PutInfo } from '../../src/proxy/index.js';
import { ioredisCommands, redisStores } from '../../src/proxy/redis.js';
import { FAST_TIMING, ORIGIN } from '../proxy/cases.js';

const ENDPOINT = 'https://proxy.example/navtalk';
const connections: Redis[] = [];
let server!: RedisServer;
let mock!: MockNavTalk;
beforeAll(async () => {
  [server, mock] = await Promise.all([startRedis(), startMockNavTalk({ timing: FAST_TIMING })]);
});
afterAll(async () => {
  for (const connection of connections) connection.disconnect();
  await Promise.all([mock?.close(), server?.stop()]);
});

/** A connection of its own, closed after the file. */
const connect = () => connections[connections.push(new Redis(server.url)) - 1]!;

/** A result store that says when its first video is in. */
class WatchedStore extends MemoryResultStore {
  private kept!: () => void;
  readonly stored = new Promise<void>((resolve) => (this.kept = resolve));

  override async put(id: string, body: ReadableStream<Uint8Array>, info: PutInfo): Promise<void> {
    await super.put(id, body, info);
    this.kept();
  }
}

let prefixes = 0;
/** `count` processes of the proxy on one Redis (under a prefix of their own) and one result store. */
function processes(count: number, results: MemoryResultStore) {
  const prefix = `script${++prefixes}:`;
  const config = configFromEnv({
    NAVTALK_API_KEY: mock.license, NAVTALK_BASE_URL: mock.url, ALLOWED_ORIGINS: ORIGIN, AUTH_MODE: 'open', TRUSTED_MEDIA_ORIGINS: mock.url,
    UPSTREAM_POLL_INTERVAL_MS: '20',
  });
  const list = Array.from({ length: count }, () => {
    const stores = redisStores({ redis: ioredisCommands(connect(), connect()), config, prefix, results });
    const handler = createProxyHandler({ config, ...stores, results });
    const json = async (response: Response) => taskStateSchema.parse(await response.json());
    return {
      budget: stores.budget,
      script: (body: GenerateRequest, init: RequestInit = {}) => handler(new Request(scriptUrl(ENDPOINT, body)!, init)),
      post: async (body: GenerateRequest) => json(await handler(new Request(ENDPOINT, {
        method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify(body),
      }))),
      wait: async (taskId: string, status: string) => json(await handler(new Request(`${ENDPOINT}?task_id=${taskId}&wait=10&status=${status}`))),
    };
  });
  return { prefix, list };
}

const script = (content: string): GenerateRequest => ({ character_name: 'navtalk.Leo', content, voice: 'echo' });

describe('?script= on Redis', () => {
  it('a script made through one process is served by another from the result store; an unmade one is 404 and writes nothing', async () => {
    const results = new WatchedStore();
    const { prefix, list: [a, b] } = processes(2, results);
    const raw = connect();

    const unmade = script(`Not made ${Date.now()}.`);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a! : b!).script(unmade)));
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([404]));
    expect(await raw.keys(`${prefix}*`)).toEqual([]); // no task, no lock, no budget or refusal count
    expect(mock.calls.filter((c) => c.path === '/generate' || c.path === '/query_status')).toEqual([]);

    const body = script(`Made once ${Date.now()}.`);
    let state = await a!.post(body);
    expect(state.status).toBe('started');
    // NavTalk is done after 90 ms: asked at once, the video is not made yet.
    expect((await b!.script(body)).status).toBe(404);
    while (state.status !== 'done') state = await a!.wait(state.task_id, state.status);
    await results.stored;

    const served = await b!.script(body);
    expect([served.status, served.headers.get('content-type'), served.headers.get('cache-control')])
      .toEqual([200, 'video/mp4', 'public, max-age=31536000, immutable']);
    expect((await served.arrayBuffer()).byteLength).toBe((await results.head(state.task_id))!.size);
    const part = await a!.script(body, { headers: { range: 'bytes=0-99' } });
    expect([part.status, (await part.arrayBuffer()).byteLength]).toEqual([206, 100]);

    expect(mock.calls.filter((c) => c.path === '/generate')).toHaveLength(1);
    const [today] = (await a!.budget.usage(1, Date.now())).days;
    expect([today!.generations, today!.refused]).toEqual([1, { budget: 0, rate_limit: 0, invalid_input: 0 }]);
  });
});
