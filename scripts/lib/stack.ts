/**
 * The local stack: the NavTalk mock (unless a real key is given), the reference Worker under wrangler dev,
 * and optionally the demo's Vite dev server. Shared by `npm start`, the end-to-end tests and the benchmarks,
 * so all three run the same thing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockNavTalk, type MockNavTalk, type MockOptions } from '../../src/mock/server.js';

export interface StackOptions {
  /** A real NavTalk key: talk to NavTalk instead of the mock. */
  apiKey?: string;
  navtalkBaseUrl?: string;
  /** The Worker's ADMIN_TOKEN (a secret: in the env file, not on the command line), for `navtalk-avatar usage` and co. */
  adminToken?: string;
  /** Extra Worker variables (`--var NAME:VALUE`), e.g. DAILY_GENERATION_LIMIT. */
  vars?: Record<string, string>;
  /** Origins the Worker accepts besides the demo's own. */
  origins?: string[];
  /** Serve demo/ with Vite (npm start); the tests and benchmarks serve their own pages. */
  demo?: boolean;
  demoPort?: number;
  workerPort?: number;
  mockPort?: number;
  /** More options for the mock (the benchmarks: where its video URLs point). */
  mockOptions?: MockOptions;
  /** Print wrangler's output (npm start) instead of keeping it for error messages. */
  verbose?: boolean;
  /** Another wrangler config than the root wrangler.jsonc (the benchmarks: a frozen bundle of the Worker, a hello-world Worker). */
  config?: string;
  /** Runs once the Worker answers and before the demo's Vite server starts (npm start pre-renders a video here). */
  beforeDemo?: (stack: { mock?: MockNavTalk; workerUrl: string; demoOrigin: string }) => Promise<void>;
}

export interface Stack {
  mock?: MockNavTalk;
  /** The Worker's base URL: the proxy endpoint is its root. */
  workerUrl: string;
  /** wrangler's process group: its workerd processes are in it (the benchmarks sample their memory). */
  workerGroup: number;
  /** What wrangler has printed so far (empty with `verbose`, where it goes to the terminal). */
  workerOutput(): string;
  /** The demo's URL when `demo` was asked for. */
  demoUrl?: string;
  stop(): Promise<void>;
}

const ROOT = new URL('../..', import.meta.url).pathname;

/** A free loopback port (wrangler needs a number up front): `preferred` if it is free, else any. */
export function freePort(preferred = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer()
      .once('error', (error: NodeJS.ErrnoException) => (preferred && error.code === 'EADDRINUSE' ? freePort().then(resolve, reject) : reject(error)))
      .listen(preferred, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Waits until a started server answers on `url`; fails with its output if it exits or stays silent. */
export async function waitForHttp(url: string, child: ChildProcess, output: () => string, timeoutMs = 60_000, name = 'wrangler dev'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited early (${child.exitCode}):\n${output()}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  throw new Error(`${name} did not answer on ${url} within ${timeoutMs / 1000} s:\n${output()}`);
}

/** Stops a detached child and everything it started (workerd outlives npx and wrangler otherwise). */
export function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }, 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try { process.kill(-child.pid!, 'SIGTERM'); } catch { resolve(); }
  });
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch(() => undefined);
  };
  try {
    const mock = options.apiKey ? undefined : await startMockNavTalk({ ...options.mockOptions, port: options.mockPort ?? 0 });
    if (mock) stops.push(() => mock.close());

    const workerPort = options.workerPort ?? (await freePort());
    const demoPort = options.demo ? await freePort(options.demoPort ?? 5173) : undefined;
    const demoOrigins = demoPort ? [`http://127.0.0.1:${demoPort}`, `http://localhost:${demoPort}`] : [];
    // Secrets go through a private env file, not the command line, where `ps` would show them.
    const secrets = mkdtempSync(join(tmpdir(), 'navtalk-stack-'));
    stops.push(async () => rmSync(secrets, { recursive: true, force: true }));
    const envFile = join(secrets, '.env');
    const adminToken = options.adminToken ? `ADMIN_TOKEN=${options.adminToken}\n` : '';
    writeFileSync(envFile, `NAVTALK_API_KEY=${options.apiKey ?? mock!.license}\n${adminToken}`, { mode: 0o600 });
    const vars: Record<string, string> = {
      AUTH_MODE: 'open',
      NAVTALK_BASE_URL: options.apiKey ? (options.navtalkBaseUrl ?? 'https://app.navtalk.ai') : mock!.url,
      ALLOWED_ORIGINS: [...demoOrigins, ...(options.origins ?? [])].join(','),
      ...(mock ? { TRUSTED_MEDIA_ORIGINS: mock.url } : {}),
      ...options.vars,
    };
    const args = [
      'dev', '--ip', '127.0.0.1', '--port', String(workerPort), '--inspector-port', String(await freePort()),
      '--env-file', envFile, '--persist-to', join(secrets, 'state'), '--show-interactive-dev-session=false',
      ...(options.config ? ['--config', options.config] : []),
      ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
    ];
    let output = '';
    const wrangler = spawn(join(ROOT, 'node_modules/.bin/wrangler'), args, {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', options.verbose ? 'inherit' : 'pipe', options.verbose ? 'inherit' : 'pipe'],
      env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
    });
    wrangler.stdout?.on('data', (d) => (output += d));
    wrangler.stderr?.on('data', (d) => (output += d));
    stops.push(() => stopGroup(wrangler));
    const workerUrl = `http://127.0.0.1:${workerPort}`;
    await waitForHttp(`${workerUrl}/health`, wrangler, () => output);

    let demoUrl: string | undefined;
    if (demoPort) {
      await options.beforeDemo?.({ mock, workerUrl, demoOrigin: demoOrigins[0]! });
      process.env.NAVTALK_ENDPOINT_TARGET = workerUrl;
      if (mock) process.env.VITE_MOCK_URL = mock.url;
      const { createServer } = await import('vite');
      const vite = await createServer({ configFile: join(ROOT, 'vite.demo.config.ts'), server: { host: '127.0.0.1', port: demoPort, strictPort: true } });
      await vite.listen();
      stops.push(() => vite.close());
      demoUrl = `http://127.0.0.1:${demoPort}/`;
    }
    return { mock, workerUrl, workerGroup: wrangler.pid!, workerOutput: () => output, demoUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
