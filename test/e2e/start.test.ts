// `npm start` on a clone with no key: it prints the demo URL, the page's avatar talks, Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
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

it('starts the mock, the Worker and the demo, plays a video, and stops cleanly on Ctrl-C', async () => {
  await expect.poll(() => urlOf('Demo ready:'), { timeout: 60_000, interval: 200 }).toBeTruthy();
  const demoUrl = urlOf('Demo ready:')!;
  const workerUrl = urlOf('Worker proxy')!;
  const mockUrl = urlOf('NavTalk mock')!;

  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(demoUrl);
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
