/**
 * The framework examples (examples/: Svelte 5, Angular, Preact, Solid, Astro), each built with its framework's own
 * toolchain (setup.ts), served as a site would serve it with its /api/navtalk answered by a recording fake proxy, and
 * driven in Chromium. Every app has the same controls, bound its framework's way: the avatar (text from the app's
 * state), a "Text" field with a "Say it" button that commits a new text, a "Remove avatar" button that unmounts it,
 * and the status and video from the element's events.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import sirv from 'sirv';
import { afterAll, beforeAll, describe, inject, it, type ExpectStatic } from 'vitest';
import { createFakeProxy, type FakeProxy } from '../../demo/server/fake-proxy.js';
import { CHROMIUM_ARGS } from '../frameworks/harness.js';
import { EXAMPLES } from './setup.js';

/** More than twice the longest pause before an element that went on polling would retry the dropped poll (1 s +-20 %). */
const QUIET_MS = 2500;
const POSTER = readFileSync(new URL('../fixtures/poster.png', import.meta.url));

interface ProxyRequest {
  method: string;
  /** The client went away before the answer (an aborted fetch). */
  abandoned: boolean;
}

/** The proxy of one test's app: the fake's started -> processing -> done, or, with `holdPolls`, polls that never answer. */
class Endpoint {
  proxy: FakeProxy;
  /** Preview images served (the poster of a character avatar). */
  previews = 0;
  /** `?script=` lookups answered (each a 404: nothing is kept). */
  lookups = 0;
  /** Every generation request, in order, including held polls (which never reach the fake). */
  requests: ProxyRequest[] = [];
  /** Generations stay in progress and each poll is held open, as a long-polling proxy holds them until something changes. */
  holdPolls = false;
  #listeners = new Set<() => void>();

  constructor(videoUrl: string) {
    this.proxy = createFakeProxy({ videoUrl, processingAfterMs: 300, doneAfterMs: 900 });
  }

  handle(req: IncomingMessage, res: ServerResponse) {
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    // The character's preview (the poster) is a plain GET of its own, not part of a generation.
    if (query.has('preview')) {
      this.previews++;
      return void res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' }).end(POSTER);
    }
    // The element's look for a finished copy of the script: nothing is kept here, so it goes on to the POST.
    if (query.has('script')) {
      this.lookups++;
      return void res.writeHead(404, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end('{"error":{"code":"not_found","message":"Not made yet."}}');
    }
    const request: ProxyRequest = { method: req.method ?? 'GET', abandoned: false };
    this.requests.push(request);
    res.on('close', () => (request.abandoned = !res.writableEnded));
    for (const listener of this.#listeners) listener();
    if (this.holdPolls && request.method === 'GET') return;
    void this.proxy.handle(this.holdPolls ? 'processing' : 'flow', req, res);
  }

  posts() {
    return this.proxy.calls.filter((c) => c.method === 'POST').map((c) => c.body);
  }

  /** 'request' as soon as one arrives within `ms`, else 'quiet'. */
  nextRequestWithin(ms: number): Promise<'request' | 'quiet'> {
    return new Promise((resolve) => {
      const done = (outcome: 'request' | 'quiet') => {
        clearTimeout(timer);
        this.#listeners.delete(onRequest);
        resolve(outcome);
      };
      const onRequest = () => done('request');
      const timer = setTimeout(() => done('quiet'), ms);
      this.#listeners.add(onRequest);
    });
  }
}

/** Serves a built app as a static site, with /api/navtalk going to the endpoint. */
async function serve(dir: string, endpoint: Endpoint) {
  const files = sirv(dir, { dev: true });
  const server = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://x').pathname === '/api/navtalk') return endpoint.handle(req, res);
    files(req, res, () => void res.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const video = `${inject('mockUrl')}/samples/avatar.mp4`;
let browser: Browser;
beforeAll(async () => {
  // Run as a program, it prints the path (or one line of instruction on stderr, and fails).
  const executablePath = execFileSync(process.execPath, ['scripts/find-chromium.mjs'], { encoding: 'utf8' }).trim();
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
});
afterAll(() => browser?.close());

interface App {
  page: Page;
  endpoint: Endpoint;
  url: string;
}

/**
 * Runs `test` against the example served with an endpoint of its own, in a page of its own, so the tests can run at
 * the same time (most of their time is the element's waits); then checks the page threw nothing.
 */
async function withApp(dir: string, expect: ExpectStatic, test: (app: App) => Promise<void>) {
  const endpoint = new Endpoint(video);
  const site = await serve(join(inject('examplesOut'), dir), endpoint);
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    await test({ page, endpoint, url: site.url });
  } finally {
    await page.close();
    await site.close();
  }
  expect(errors).toEqual([]);
}

const uiText = (page: Page, id: string) => page.getByTestId(id).textContent();
/** The element's status, task and text, read in the page. */
const element = (page: Page) => page.$eval('navtalk-avatar', (el) => {
  const avatar = el as HTMLElementTagNameMap['navtalk-avatar'];
  return { status: avatar.status, taskId: avatar.taskId, text: avatar.text };
});
const requestFor = (text: string) => ({ character_name: 'navtalk.Leo', content: text, voice: 'echo' });

describe.concurrent.each(EXAMPLES)('the $name example', (example) => {
  it('builds, and typechecks', ({ expect }) => {
    const { build, typecheck } = inject('exampleOutcomes')[example.dir]!;
    expect(build, build.output).toMatchObject({ code: 0 });
    if (example.dir === 'svelte') {
      // Its only problem is the fixture's wrong `trigger`: the typings reach Svelte's templates.
      const problems = typecheck!.output.split('\n').filter((line) => / (ERROR|WARNING) /.test(line)).map((line) => line.replace(/^\d+ /, ''));
      expect(problems).toEqual([
        `ERROR "examples/svelte/type-errors/WrongTrigger.svelte" 4:88 "Type '\\"sometimes\\"' is not assignable to type 'NavtalkTrigger | undefined'."`,
      ]);
    } else if (typecheck) {
      expect(typecheck, typecheck.output).toMatchObject({ code: 0 });
    }
  });

  it('renders the avatar, which sends the text from the app state and fires ready with the video', ({ expect }) =>
    withApp(example.dir, expect, async ({ page, endpoint, url }) => {
      await page.goto(url);
      await expect.poll(() => uiText(page, 'ready'), { timeout: 10_000 }).toBe(video);
      await expect.poll(() => uiText(page, 'status')).toBe('done');
      expect(endpoint.posts()).toEqual([requestFor(example.text)]);
      const shown = await page.$eval('navtalk-avatar', async (el) => {
        const player = el.shadowRoot!.querySelector('video')!;
        // The video really loads in the page.
        await new Promise<void>((resolve) => (player.readyState >= 1 ? resolve() : player.addEventListener('loadedmetadata', () => resolve(), { once: true })));
        return { src: player.getAttribute('src'), duration: player.duration > 0 };
      });
      expect(shown).toEqual({ src: video, duration: true });
    }));

  it('makes exactly one new generation when the text in the app state changes', ({ expect }) =>
    withApp(example.dir, expect, async ({ page, endpoint, url }) => {
      await page.goto(url);
      await expect.poll(() => element(page), { timeout: 10_000 }).toMatchObject({ status: 'done' });
      const first = await element(page);

      await page.getByLabel('Text').fill('Something new to say.');
      await page.getByRole('button', { name: 'Say it' }).click();
      await expect.poll(() => element(page), { timeout: 10_000 })
        .toMatchObject({ status: 'done', text: 'Something new to say.', taskId: expect.not.stringMatching(`^${first.taskId}$`) });
      await expect.poll(() => uiText(page, 'status')).toBe('done');
      expect(endpoint.posts()).toEqual([requestFor(example.text), requestFor('Something new to say.')]);
    }));

  it('stops polling when the app unmounts the avatar: the poll in flight is dropped and no request follows', ({ expect }) =>
    withApp(example.dir, expect, async ({ page, endpoint, url }) => {
      endpoint.holdPolls = true;
      await page.goto(url);
      await expect.poll(() => endpoint.requests.map((r) => r.method), { timeout: 10_000 }).toEqual(['POST', 'GET']);
      expect(endpoint.lookups).toBe(1);
      await expect.poll(() => uiText(page, 'status')).toBe('started');
      // Its poster is the character's preview, through the app's own proxy.
      await expect.poll(() => endpoint.previews).toBeGreaterThan(0);

      await page.getByRole('button', { name: 'Remove avatar' }).click();
      await expect.poll(() => page.locator('navtalk-avatar').count()).toBe(0);
      await expect.poll(() => endpoint.requests[1]!.abandoned).toBe(true);
      expect(await endpoint.nextRequestWithin(QUIET_MS)).toBe('quiet');
      expect(endpoint.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
    }));
});
