// `npm start` on a clone with no key: it prints the demo URL, the page's avatar talks, the pre-rendered one plays the
// video npm start made through the Worker with no request to the proxy, and Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { PRERENDERED_TEXT } from '../../demo/lib/prerendered.js';
import { launchChromium } from './support.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const child = spawn('npm', ['start', '--silent'], {
  cwd: ROOT,
  detached: true,
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...process.env, NAVTALK_API_KEY: '', PORT: '0' },
});
let output = '';
child.stdout.on('data', (d) => (output += d));
child.stderr.on('data', (d) => (output += d));
const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));

afterAll(() => {
  try {
    process.kill(-child.pid!, 'SIGKILL'); // only matters when the test failed midway
  } catch {
    // the group is gone: the clean stop worked
  }
});

const urlOf = (label: string) => output.match(new RegExp(`${label}\\s+(http://\\S+)`))?.[1];

it('starts the mock, the Worker and the demo, pre-renders, plays a video, and stops cleanly on Ctrl-C', async () => {
  await expect.poll(() => urlOf('Demo ready:'), { timeout: 60_000, interval: 200 }).toBeTruthy();
  const demoUrl = urlOf('Demo ready:')!;
  const workerUrl = urlOf('Worker proxy')!;
  const mockUrl = urlOf('NavTalk mock')!;
  // The pre-rendered avatar's video: made through the Worker before the demo started, and kept by it (R2).
  const prerenderedUrl = urlOf('Pre-rendered')!;
  expect(prerenderedUrl.startsWith(`${workerUrl}/?video=`)).toBe(true);
  // The admin routes are on, with the token it printed for `navtalk-avatar usage`.
  const token = output.match(/Admin token\s+(\S+)/)?.[1];
  const usage = await fetch(`${workerUrl}/?admin=usage`, { headers: { authorization: `Bearer ${token}` } });
  expect(usage.status).toBe(200);
  expect(((await usage.json()) as { days: { generations: number }[] }).days.at(-1)!.generations).toBeGreaterThanOrEqual(1);

  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const proxyBodies: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/navtalk')) proxyBodies.push(request.postData() ?? '');
    });
    await page.goto(demoUrl);
    const prerendered = await page.locator('#pair-prerendered').evaluate(async (el) => {
      const avatar = el as HTMLElementTagNameMap['navtalk-avatar'];
      avatar.scrollIntoView();
      await new Promise<void>((resolve) => (avatar.status === 'done' ? resolve() : avatar.addEventListener('navtalk-ready', () => resolve(), { once: true })));
      await avatar.updateComplete;
      const video = avatar.shadowRoot!.querySelector('video')!;
      await new Promise<void>((resolve) => (video.readyState >= 1 ? resolve() : video.addEventListener('loadedmetadata', () => resolve(), { once: true })));
      return { taskId: avatar.taskId, src: video.getAttribute('src'), duration: video.duration };
    });
    expect(prerendered).toMatchObject({ taskId: null, src: prerenderedUrl });
    expect(prerendered.duration).toBeGreaterThan(0);
    expect(proxyBodies.filter((body) => body.includes(PRERENDERED_TEXT))).toEqual([]);
    await page.evaluate(() => scrollTo(0, 0));
    // Any avatar on the landing page that reaches playback proves the whole chain talks.
    await page.waitForFunction(
      () => [...document.querySelectorAll('navtalk-avatar')].some((el) => (el.shadowRoot?.querySelector('video')?.currentTime ?? 0) > 0.3),
      undefined,
      { timeout: 45_000, polling: 200 },
    );
  } finally {
    await browser.close();
  }

  // Ctrl-C reaches the whole foreground group: npm itself dies of it, our script cleans up and says so.
  process.kill(-child.pid!, 'SIGINT');
  expect([0, 'SIGINT']).toContain(await exited);
  await expect.poll(() => output, { timeout: 15_000, interval: 100 }).toContain('Stopped.');
  for (const url of [demoUrl, workerUrl, mockUrl]) {
    await expect(fetch(url, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  }
}, 120_000);
