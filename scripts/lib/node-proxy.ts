/**
 * The proxy as Node servers on Redis (examples/node-server), for the tests, the benchmarks and
 * `npm run example:node-server`: a redis-server of its own on a free loopback port, and N server processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockNavTalk, type MockNavTalk, type MockOptions } from '../../src/mock/server.js';
import { freePort, stopGroup, waitForHttp } from './stack.js';

const ROOT = new URL('../..', import.meta.url).pathname;

export interface RedisServer {
  url: string;
  port: number;
  /** Stops it (the data is gone: it keeps none on disk). */
  stop(): Promise<void>;
}

/** Debian's redis-server on 127.0.0.1, in memory only. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'navtalk-redis-'));
  let output = '';
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const spawnFailed = new Promise<never>((_, reject) => child.once('error', (e) => reject(new Error(`redis-server could not start (${e.message}): apt-get install redis-server`))));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 15_000);
    const look = () => {
      if (/Ready to accept connections/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', look);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}):\n${output}`)));
  });
  await Promise.race([ready, spawnFailed]);
  let stopped = false;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopGroup(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface NodeProxy {
  url: string;
  pid: number;
  output(): string;
  /** Kills it at once (SIGKILL), as a crashed container would go. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** One examples/node-server process with these variables (plus REDIS_URL, PORT). */
export async function startNodeProxy(env: Record<string, string>): Promise<NodeProxy> {
  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'examples/node-server/server.ts')], {
    cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`, child, () => output, 30_000, 'the Node proxy');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    pid: child.pid!,
    output: () => output,
    async kill() {
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
      await exited;
    },
    stop: () => stopGroup(child),
  };
}

export interface NodeStack {
  mock: MockNavTalk;
  redis: RedisServer;
  proxies: NodeProxy[];
  /** The first process's URL: the proxy endpoint is its root. */
  workerUrl: string;
  stop(): Promise<void>;
}

/**
 * What startStack is for the Worker, for the Node server on Redis: the NavTalk mock, a redis-server, and
 * `processes` servers on it (AUTH_MODE=open, the visitor's address from CF-Connecting-IP as the tests send it);
 * `processVars[i]` adds variables of process i's own.
 */
export async function startNodeStack(
  options: {
    origins?: string[]; vars?: Record<string, string>; processes?: number; processVars?: Record<string, string>[]; mockOptions?: MockOptions;
  } = {},
): Promise<NodeStack> {
  const mock = await startMockNavTalk(options.mockOptions);
  const redis = await startRedis().catch(async (error: unknown) => {
    await mock.close();
    throw error;
  });
  const env = {
    REDIS_URL: redis.url, NAVTALK_API_KEY: mock.license, NAVTALK_BASE_URL: mock.url, TRUSTED_MEDIA_ORIGINS: mock.url,
    AUTH_MODE: 'open', ALLOWED_ORIGINS: (options.origins ?? []).join(','), CLIENT_IP_HEADER: 'cf-connecting-ip', ...options.vars,
  };
  const proxies: NodeProxy[] = [];
  const stop = async () => {
    await Promise.all(proxies.map((p) => p.stop()));
    await redis.stop();
    await mock.close();
  };
  try {
    for (let i = 0; i < (options.processes ?? 1); i++) proxies.push(await startNodeProxy({ ...env, ...options.processVars?.[i] }));
  } catch (error) {
    await stop();
    throw error;
  }
  return { mock, redis, proxies, workerUrl: proxies[0]!.url, stop };
}
