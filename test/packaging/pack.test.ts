// The package as people install it: `npm pack`, install the tarball into an empty folder, then import every
// export from Node, run the CLI and typecheck a consumer against the shipped declarations.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const app = mkdtempSync(join(tmpdir(), 'navtalk-pack-'));
const node = (file: string) => run(process.execPath, [file], { cwd: app });

beforeAll(async () => {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', app], { cwd: ROOT });
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(app, filename), 'react@19', 'react-dom@19', '@types/react@19', 'preact@11', 'solid-js@1', 'svelte@5'], { cwd: app });
}, 180_000);

afterAll(() => rmSync(app, { recursive: true, force: true }));

describe('the npm package', () => {
  it('imports the element, define, react, protocol, proxy, proxy/node and proxy/redis entries in Node (SSR-safe)', async () => {
    writeFileSync(join(app, 'entries.mjs'), `
      import { NavtalkAvatar, DEFAULT_STRINGS } from 'navtalk-avatar';
      import 'navtalk-avatar/define';
      import { NavtalkAvatar as ReactAvatar } from 'navtalk-avatar/react';
      import { validateGenerateRequest, VOICES } from 'navtalk-avatar/protocol';
      import { createProxyHandler, configFromEnv } from 'navtalk-avatar/proxy';
      import { FileResultStore } from 'navtalk-avatar/proxy/node';
      NavtalkAvatar.define();
      const results = new FileResultStore('results');
      const handler = createProxyHandler({ config: configFromEnv({ NAVTALK_API_KEY: 'sk-test', AUTH_MODE: 'open', ALLOWED_ORIGINS: 'https://shop.example' }) });
      const refused = await handler(new Request('https://proxy.example/', { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: '{}' }));
      console.log(JSON.stringify({
        element: typeof NavtalkAvatar.define, strings: typeof DEFAULT_STRINGS.retry, react: typeof ReactAvatar,
        valid: validateGenerateRequest({ character_name: 'navtalk.Leo', content: 'Hi', voice: 'echo' }).ok,
        voices: VOICES.length, refused: refused.status, stored: await results.head('none'),
      }));
    `);
    const { stdout } = await node('entries.mjs');
    expect(JSON.parse(stdout)).toEqual({ element: 'function', strings: 'string', react: 'object', valid: true, voices: 11, refused: 403, stored: null });
  });

  it('ships the Worker entry (its Durable Objects and fetch handler) for wrangler', async () => {
    // Node has no `cloudflare:workers`; a loader hook gives it the one class the Worker extends.
    writeFileSync(join(app, 'cloudflare-stub.mjs'), `
      export async function resolve(specifier, context, next) {
        if (specifier === 'cloudflare:workers') return { url: 'data:text/javascript,export class DurableObject { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }', shortCircuit: true };
        return next(specifier, context);
      }`);
    writeFileSync(join(app, 'worker.mjs'), `
      import { register } from 'node:module';
      register('./cloudflare-stub.mjs', import.meta.url);
      const worker = await import('navtalk-avatar/worker');
      console.log(JSON.stringify({ fetch: typeof worker.default.fetch, objects: ['TaskObject', 'BudgetObject', 'LimiterObject'].map((n) => typeof worker[n]) }));
    `);
    const { stdout } = await node('worker.mjs');
    expect(JSON.parse(stdout)).toEqual({ fetch: 'function', objects: ['function', 'function', 'function'] });
  });

  it('resolves the CDN bundle and the custom elements manifest', async () => {
    writeFileSync(join(app, 'files.mjs'), `
      import { readFileSync } from 'node:fs';
      import { fileURLToPath } from 'node:url';
      const bundle = readFileSync(fileURLToPath(import.meta.resolve('navtalk-avatar/navtalk-avatar.js')), 'utf8');
      const manifest = JSON.parse(readFileSync(fileURLToPath(import.meta.resolve('navtalk-avatar/custom-elements.json')), 'utf8'));
      const pkg = JSON.parse(readFileSync(fileURLToPath(import.meta.resolve('navtalk-avatar/package.json')), 'utf8'));
      const element = manifest.modules.flatMap((m) => m.declarations).find((d) => d.customElement);
      console.log(JSON.stringify({ defines: bundle.includes('navtalk-avatar'), tag: element.tagName, events: element.events.map((e) => e.name), customElements: pkg.customElements }));
    `);
    const { stdout } = await node('files.mjs');
    expect(JSON.parse(stdout)).toEqual({
      defines: true, tag: 'navtalk-avatar', events: ['navtalk-status', 'navtalk-ready', 'navtalk-error'], customElements: 'dist/custom-elements.json',
    });
  });

  it('ships the CDN entry with every chunk it imports beside it, and the one-file build without any', async () => {
    writeFileSync(join(app, 'chunks.mjs'), `
      import { existsSync, readFileSync } from 'node:fs';
      import { dirname, resolve } from 'node:path';
      import { fileURLToPath } from 'node:url';
      const entry = fileURLToPath(import.meta.resolve('navtalk-avatar/navtalk-avatar.js'));
      const chunks = [...readFileSync(entry, 'utf8').matchAll(/import\\(\\s*["'\\x60]([^"'\\x60]+)["'\\x60]\\s*\\)/g)].map((m) => m[1]);
      const single = readFileSync(fileURLToPath(import.meta.resolve('navtalk-avatar/navtalk-avatar.single.js')), 'utf8');
      console.log(JSON.stringify({
        chunks: [...new Set(chunks.map((c) => c.replace(/-[\\w-]+\\.js$/, '.js')))].sort(),
        present: chunks.every((c) => existsSync(resolve(dirname(entry), c))),
        singleImports: /\\bimport\\s*\\(/.test(single),
        singleDefines: single.includes('customElements') || single.includes('navtalk-avatar'),
      }));
    `);
    const { stdout } = await node('chunks.mjs');
    expect(JSON.parse(stdout)).toEqual({
      chunks: ['./navtalk-avatar-chunks/later.js'], present: true, singleImports: false, singleDefines: true,
    });
  });

  it('installs the navtalk-avatar command and its navtalk-sign alias, which sign alike', async () => {
    const args = ['--print', '--character', 'navtalk.Leo', '--text', 'Hi', '--voice', 'echo'];
    const options = { cwd: app, env: { ...process.env, SIGNING_SECRET: 'pack-test-secret' } };
    const alias = await run(join(app, 'node_modules/.bin/navtalk-sign'), args, options);
    expect(alias.stdout.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const main = await run(join(app, 'node_modules/.bin/navtalk-avatar'), ['sign', ...args], options);
    expect(main.stdout).toBe(alias.stdout);
    const help = await run(join(app, 'node_modules/.bin/navtalk-avatar'), ['help'], options);
    expect(help.stdout).toMatch(/navtalk-avatar prerender FILE\.html\.\.\. --endpoint URL/);
  });

  it('ships the Vite plugin (navtalk-avatar/vite), loadable without Vite installed, and navtalk-avatar/prerender', async () => {
    writeFileSync(join(app, 'vite-plugin.mjs'), `
      import navtalkPrerender from 'navtalk-avatar/vite';
      import { prerenderAvatar } from 'navtalk-avatar/prerender';
      const plugin = navtalkPrerender({ endpoint: 'https://proxy.example/', emit: true });
      const refused = await prerenderAvatar({ character: 'navtalk.Leo', text: 'Hi' }, { endpoint: 'https://proxy.example/' }).catch((e) => e.code);
      console.log(JSON.stringify({ name: plugin.name, apply: plugin.apply, hook: typeof plugin.transformIndexHtml.handler, refused }));
    `);
    const { stdout } = await node('vite-plugin.mjs');
    expect(JSON.parse(stdout)).toEqual({ name: 'navtalk-avatar-prerender', apply: 'build', hook: 'function', refused: 'invalid_input' });
  });

  it('types: the element, React JSX, the wrapper, the Preact, Solid and Svelte typings and the proxy typecheck in a consumer', async () => {
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      // Node's types as a Node consumer has them (@types/node), for the proxy/node entry.
      compilerOptions: {
        target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', strict: true, jsx: 'react-jsx', noEmit: true, lib: ['ES2022', 'DOM'],
        types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')],
      },
      include: ['consumer.tsx'],
    }));
    writeFileSync(join(app, 'consumer.tsx'), `
      import { NavtalkAvatar, type NavtalkReadyEvent } from 'navtalk-avatar';
      import type {} from 'navtalk-avatar/jsx';
      import { NavtalkAvatar as Wrapper } from 'navtalk-avatar/react';
      import { createProxyHandler, type ProxyHandler, type ResultStore } from 'navtalk-avatar/proxy';
      import { FileResultStore, nodeListener } from 'navtalk-avatar/proxy/node';
      import { ioredisCommands, redisStores, type RedisStores } from 'navtalk-avatar/proxy/redis';
      import { prerenderAvatar, type PrerenderedAvatar } from 'navtalk-avatar/prerender';
      import type { NavtalkAvatarPreactProps } from 'navtalk-avatar/preact';
      import type { NavtalkAvatarSolidProps } from 'navtalk-avatar/solid';
      import type { NavtalkAvatarSvelteProps } from 'navtalk-avatar/svelte';
      import type { ServerResponse } from 'node:http';
      export const store: ResultStore = new FileResultStore('results');
      export const listener: (req: never, res: ServerResponse) => void = nodeListener(async () => new Response(null));
      export const shared = (call: (command: string, ...args: (string | number)[]) => Promise<unknown>): RedisStores['store'] =>
        redisStores({ redis: ioredisCommands({ call }), config: {} as never }).store;
      const el: NavtalkAvatar = document.createElement('navtalk-avatar');
      el.bboxShift = 3;
      el.addEventListener('navtalk-ready', (e: NavtalkReadyEvent) => e.detail.resultUrl.toUpperCase());
      export const raw = <navtalk-avatar endpoint="/api" character="navtalk.Leo" text="Hi" voice="echo" onnavtalk-ready={(e) => e.detail.taskId} />;
      export const wrapped = <Wrapper endpoint="/api" character="navtalk.Leo" text="Hi" voice="echo" onNavtalkReady={(e) => e.detail.resultUrl} />;
      export const preact: NavtalkAvatarPreactProps = { text: 'Hi', trigger: 'load', 'onnavtalk-ready': (e) => e.detail.resultUrl };
      export const solid: NavtalkAvatarSolidProps = { text: 'Hi', bboxShift: 3, 'on:navtalk-error': (e) => e.detail.code };
      // @ts-expect-error trigger takes visible, load, click or manual
      export const svelte: NavtalkAvatarSvelteProps = { text: 'Hi', trigger: 'sometimes', 'onnavtalk-status': (e) => e.detail.status };
      export const made: Promise<PrerenderedAvatar> = prerenderAvatar({ character: 'navtalk.Leo', 'bbox-shift': 3 }, { endpoint: '/', outDir: 'dist/avatars', base: '/avatars/' });
      export const handler: ProxyHandler = createProxyHandler;
    `.replace('export const handler: ProxyHandler = createProxyHandler;', 'export const make: typeof createProxyHandler = createProxyHandler; export type H = ProxyHandler;'));
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', app]).then(() => 'ok', (e: { stdout: string }) => e.stdout);
    expect(result).toBe('ok');
  }, 60_000); // tsc over every shipped declaration: past 20 s on a busy 2-core machine
});
